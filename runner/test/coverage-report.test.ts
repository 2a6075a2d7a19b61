/**
 * The whole-suite coverage report (scripts/coverage/report.ts): a child's hits land on vitest's
 * statements, branches and functions that start at the same place, and nowhere else; a package
 * under its floor is reported.
 */
import { describe, expect, it } from 'vitest';
import type libCoverage from 'istanbul-lib-coverage';
import { FLOORS, addHits, checkFloors } from '../../scripts/coverage/report.ts';

const loc = (line: number, column: number, endColumn = column + 5): libCoverage.Range => ({ start: { line, column }, end: { line, column: endColumn } });

function file(statements: [number, number, number][], branch: { at: [number, number]; arms: [number, number][]; hits: number[] } | null, fn: { at: [number, number]; hits: number } | null): libCoverage.FileCoverageData {
  return {
    path: '/x/core/src/a.ts',
    statementMap: Object.fromEntries(statements.map(([line, column], i) => [String(i), loc(line, column)])),
    s: Object.fromEntries(statements.map(([, , hits], i) => [String(i), hits])),
    branchMap: branch ? { 0: { loc: loc(...branch.at), type: 'if', locations: branch.arms.map(([l, c]) => loc(l, c)), line: branch.at[0] } } : {},
    b: branch ? { 0: branch.hits } : {},
    fnMap: fn ? { 0: { name: 'f', decl: loc(...fn.at), loc: loc(...fn.at), line: fn.at[0] } } : {},
    f: fn ? { 0: fn.hits } : {},
  };
}

describe('the whole-suite coverage report', () => {
  it('adds a child\'s hits where its items start where vitest\'s do, and ignores the rest', () => {
    const vitest = file([[1, 0, 0], [2, 2, 3], [5, 4, 0]], { at: [2, 2], arms: [[2, 2], [4, 2]], hits: [3, 0] }, { at: [1, 0], hits: 0 });
    // The child's transpiler emitted one statement vitest's did not (3:0), and misses 5:4.
    const child = file([[1, 0, 7], [2, 2, 1], [3, 0, 9]], { at: [2, 2], arms: [[2, 2], [4, 2]], hits: [0, 2] }, { at: [1, 0], hits: 4 });
    addHits(vitest, child);
    expect(vitest.s).toEqual({ 0: 7, 1: 4, 2: 0 });
    expect(Object.keys(vitest.statementMap)).toHaveLength(3);
    expect(vitest.b).toEqual({ 0: [3, 2] });
    expect(vitest.f).toEqual({ 0: 4 });
  });

  it('reports a package under its floor, by lines and by branches', () => {
    const { table, failures } = checkFloors([
      { name: 'core', lines: { covered: 99, total: 100 }, branches: { covered: 50, total: 100 } },
      { name: 'contract', lines: { covered: 10, total: 10 }, branches: { covered: 0, total: 0 } },
    ]);
    expect(failures).toEqual([`core: branches 50.0 % < ${String(FLOORS.core?.branches)} %`]);
    expect(table).toContain('| core | 99.0 % (99/100) | 50.0 % (50/100) |');
  });
});
