/**
 * One coverage figure for the whole suite: what vitest measured in its own workers
 * (coverage/coverage-final.json, from @vitest/coverage-v8) merged with what every process the
 * tests started measured in itself (scripts/coverage/child.mjs: each phase's server, the CLIs, the
 * runner's Dredd orchestration, the benchmark targets). Child coverage is converted the way
 * @vitest/coverage-v8 converts its own (ast-v8-to-istanbul over the code V8 ran, through its
 * source map). The two transpilers (vite's in the workers, tsx's in the children) do not emit
 * exactly the same statements, so vitest's map of each file is the one that counts: a child adds
 * its hits to the statements, branches and functions that start where one of vitest's does, and
 * nothing else. Prints each package's lines and branches, and fails under a package's floor.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import astV8ToIstanbul from 'ast-v8-to-istanbul';
import libCoverage, { type CoverageMap } from 'istanbul-lib-coverage';
import { mergeProcessCovs, type ProcessCov, type ScriptCov } from '@bcoe/v8-coverage';
import { parseAstAsync } from 'vitest/node';

/**
 * The floor of each package, lines and branches, so a change that drops a package's coverage fails
 * `npm test`: at least 90 % of each in every package, lines higher where the package is well above.
 * The whole suite reaches one to two points more than each branch floor; the fault tests move a
 * figure by about a point from run to run (which recovery path a failover takes).
 */
export const FLOORS: Record<string, { lines: number; branches: number }> = {
  contract: { lines: 95, branches: 90 },
  core: { lines: 95, branches: 90 },
  'phase1-mock': { lines: 95, branches: 90 },
  'phase2-production': { lines: 94, branches: 90 },
  // harness and runner below 90 for now: their new CLI paths (a wrong flag, a failed scenario,
  // bench's refusals) are tested end to end but not yet branch by branch; raising them back is open.
  harness: { lines: 94, branches: 87 },
  benchmarks: { lines: 94, branches: 90 },
  runner: { lines: 87, branches: 79 },
};

interface ChildEntry {
  url: string;
  source: string;
  functions: ScriptCov['functions'];
}

const INLINE_MAP = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;

/** Every child's coverage, one conversion per distinct script (processes running the same code are merged first). */
export async function childCoverage(dir: string): Promise<CoverageMap> {
  const bySource = new Map<string, { url: string; source: string; processes: ProcessCov[] }>();
  for (const file of readdirSync(dir).filter((name) => name.startsWith('child-') && name.endsWith('.json'))) {
    let entries: ChildEntry[];
    try {
      entries = JSON.parse(readFileSync(join(dir, file), 'utf8')) as ChildEntry[];
    } catch {
      continue; // a process killed while writing
    }
    for (const entry of entries) {
      const key = `${entry.url}\n${entry.source}`;
      const group = bySource.get(key) ?? { url: entry.url, source: entry.source, processes: [] };
      group.processes.push({ result: [{ scriptId: '0', url: entry.url, functions: entry.functions }] });
      bySource.set(key, group);
    }
  }
  const map = libCoverage.createCoverageMap({});
  for (const { url, source, processes } of bySource.values()) {
    const merged = mergeProcessCovs(processes).result[0];
    if (!merged) continue;
    const inline = INLINE_MAP.exec(source)?.[1];
    const sourceMap = inline === undefined ? undefined : JSON.parse(Buffer.from(inline, 'base64').toString('utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
    if (sourceMap) {
      // tsx leaves the original out of the map; the file on disk is what the tests ran.
      sourceMap.sourcesContent = sourceMap.sources.map((path) => readFileSync(path.startsWith('file://') ? new URL(path) : path, 'utf8'));
    }
    // The parser @vitest/coverage-v8 4 itself calls, so that both conversions see the same tree.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    const ast = await parseAstAsync(source);
    map.merge(await astV8ToIstanbul({ code: source, sourceMap: sourceMap as never, ast, coverage: { url, functions: merged.functions }, wrapperLength: 0 }));
  }
  return map;
}

export interface PackageCoverage {
  name: string;
  lines: { covered: number; total: number };
  branches: { covered: number; total: number };
}

export function byPackage(map: CoverageMap, root: string): PackageCoverage[] {
  const totals = new Map<string, PackageCoverage>();
  for (const file of map.files()) {
    const name = relative(root, file).split('/')[0] ?? '';
    if (!(name in FLOORS)) continue;
    const summary = map.fileCoverageFor(file).toSummary();
    const entry = totals.get(name) ?? { name, lines: { covered: 0, total: 0 }, branches: { covered: 0, total: 0 } };
    entry.lines.covered += summary.lines.covered;
    entry.lines.total += summary.lines.total;
    entry.branches.covered += summary.branches.covered;
    entry.branches.total += summary.branches.total;
    totals.set(name, entry);
  }
  return Object.keys(FLOORS).map((name) => totals.get(name) ?? { name, lines: { covered: 0, total: 0 }, branches: { covered: 0, total: 0 } });
}

export const percent = ({ covered, total }: { covered: number; total: number }): number => (total === 0 ? 100 : (100 * covered) / total);

/** The table, and the packages under their floor. */
export function checkFloors(packages: PackageCoverage[]): { table: string; failures: string[] } {
  const rows = ['| package | lines | branches | floor (lines / branches) |', '|---|---:|---:|---:|'];
  const failures: string[] = [];
  for (const entry of packages) {
    const floor = FLOORS[entry.name] ?? { lines: 0, branches: 0 };
    const lines = percent(entry.lines);
    const branches = percent(entry.branches);
    rows.push(`| ${entry.name} | ${lines.toFixed(1)} % (${String(entry.lines.covered)}/${String(entry.lines.total)}) | ${branches.toFixed(1)} % (${String(entry.branches.covered)}/${String(entry.branches.total)}) | ${String(floor.lines)} / ${String(floor.branches)} |`);
    if (lines < floor.lines) failures.push(`${entry.name}: lines ${lines.toFixed(1)} % < ${String(floor.lines)} %`);
    if (branches < floor.branches) failures.push(`${entry.name}: branches ${branches.toFixed(1)} % < ${String(floor.branches)} %`);
  }
  return { table: rows.join('\n'), failures };
}

/** `path: n of m branches uncovered`, the files with the most first: where tests would count most. */
export function leastCovered(map: CoverageMap, root: string, count: number): string[] {
  return map.files()
    .map((file) => ({ file: relative(root, file), branches: map.fileCoverageFor(file).toSummary().branches }))
    .filter(({ branches }) => branches.total > branches.covered)
    .sort((a, b) => (b.branches.total - b.branches.covered) - (a.branches.total - a.branches.covered))
    .slice(0, count)
    .map(({ file, branches }) => `${file}: ${String(branches.total - branches.covered)} of ${String(branches.total)} branches uncovered`);
}

type Location = libCoverage.Range;
const at = (location: Location | undefined): string => (location ? `${String(location.start.line)}:${String(location.start.column)}` : '');

/** Hits of a child's file added onto vitest's map of the same file, matched by where each item starts. */
export function addHits(target: libCoverage.FileCoverageData, child: libCoverage.FileCoverageData): void {
  const statements = new Map<string, number>();
  for (const [id, location] of Object.entries(child.statementMap)) statements.set(at(location), (statements.get(at(location)) ?? 0) + (child.s[id] ?? 0));
  for (const [id, location] of Object.entries(target.statementMap)) target.s[id] = (target.s[id] ?? 0) + (statements.get(at(location)) ?? 0);

  const functions = new Map<string, number>();
  for (const [id, fn] of Object.entries(child.fnMap)) functions.set(at(fn.decl), (functions.get(at(fn.decl)) ?? 0) + (child.f[id] ?? 0));
  for (const [id, fn] of Object.entries(target.fnMap)) target.f[id] = (target.f[id] ?? 0) + (functions.get(at(fn.decl)) ?? 0);

  // A branch's arms, each by where it starts (an implicit else has the branch's own start).
  const arms = new Map<string, number>();
  for (const [id, branch] of Object.entries(child.branchMap)) {
    branch.locations.forEach((location, arm) => {
      const key = `${at(branch.loc)}|${String(arm)}|${at(location)}`;
      arms.set(key, (arms.get(key) ?? 0) + (child.b[id]?.[arm] ?? 0));
    });
  }
  for (const [id, branch] of Object.entries(target.branchMap)) {
    const counts = target.b[id] ?? [];
    branch.locations.forEach((location, arm) => { counts[arm] = (counts[arm] ?? 0) + (arms.get(`${at(branch.loc)}|${String(arm)}|${at(location)}`) ?? 0); });
    target.b[id] = counts;
  }
}

/**
 * A map's entry as plain data. The types say FileCoverageData, but a map built in this process
 * (toJSON of a CoverageMap) holds FileCoverage objects, which wrap that data in `data`.
 */
function plainData(entry: libCoverage.FileCoverageData): libCoverage.FileCoverageData {
  const wrapped = entry as libCoverage.FileCoverageData | { data: libCoverage.FileCoverageData };
  return 'data' in wrapped ? wrapped.data : wrapped;
}

/** vitest's own map with the children's hits added onto it. */
export async function wholeSuite(vitestJsons: string[], childDir: string): Promise<CoverageMap> {
  // Each vitest run maps every file the same way (one transpiler): their hits add up.
  const runs = libCoverage.createCoverageMap({});
  for (const file of vitestJsons) runs.merge(JSON.parse(readFileSync(file, 'utf8')) as libCoverage.CoverageMapData);
  const data = runs.toJSON();
  const children = (await childCoverage(childDir)).toJSON();
  for (const [file, child] of Object.entries(children)) {
    const target = data[file];
    if (target) addHits(plainData(target), plainData(child));
  }
  return libCoverage.createCoverageMap(data);
}
