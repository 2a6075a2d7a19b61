/** The part of @bcoe/v8-coverage (which ships no types) that the coverage report uses. */
declare module '@bcoe/v8-coverage' {
  export interface RangeCov { startOffset: number; endOffset: number; count: number }
  export interface FunctionCov { functionName: string; ranges: RangeCov[]; isBlockCoverage: boolean }
  export interface ScriptCov { scriptId: string; url: string; functions: FunctionCov[] }
  export interface ProcessCov { result: ScriptCov[] }
  /** Sums the counts of several processes' coverage of the same scripts. */
  export function mergeProcessCovs(processCovs: readonly ProcessCov[]): ProcessCov;
}
