/**
 * The docs build, and the docs stay true: every diagram renders, every relative link resolves,
 * every npm command they quote exists, and the example clients run against a real phase.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { Cleanup, startPhase1 } from 'harness';
import { brokenLinks, markdownFiles, mermaidBlocks, missingCommands, renderDiagrams } from '../src/docs.ts';
import { repoRoot } from '../src/paths.ts';
import { repositoryCopy, WORKSPACES } from './repository-copy.ts';

const run = promisify(execFile);
const out = mkdtempSync(join(tmpdir(), 'lab-docs-'));
const cleanup = new Cleanup();
afterAll(async () => {
  await cleanup.run();
  rmSync(out, { recursive: true, force: true });
});

describe('the docs', () => {
  it('render every diagram to SVG (a broken one fails the build)', async () => {
    const files = await renderDiagrams(out);
    const expected = markdownFiles().filter((f) => f.startsWith(join(repoRoot, 'docs'))).reduce((n, f) => n + mermaidBlocks(f).length, 0);
    expect(expected).toBeGreaterThanOrEqual(3);
    expect(files).toHaveLength(expected);
    for (const file of files) expect(readFileSync(file, 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>$/);
  }, 120_000);

  it('build with `npm run docs` as the README has it: the API reference and every diagram, written into the tree', () => {
    // In a copy: the command rewrites docs/api and docs/diagrams, and the working copy is not the test's to change.
    const copy = repositoryCopy(cleanup, ['package.json', 'README.md', 'docs'], WORKSPACES, /\/test(\/|$)/);
    for (const generated of ['docs/api/index.html', 'docs/diagrams']) rmSync(join(copy, generated), { recursive: true, force: true });
    const build = spawnSync('npm', ['run', 'docs'], { cwd: copy, encoding: 'utf8', timeout: 120_000 });
    expect(build.status, `${build.stdout}${build.stderr}`).toBe(0);
    expect(readFileSync(join(copy, 'docs/api/index.html'), 'utf8')).toContain('Stateless vs stateful lab API');
    const diagrams = [...build.stdout.matchAll(/^docs: (docs\/diagrams\/\S+\.svg)$/gm)].map((m) => String(m[1]));
    expect(diagrams.length).toBeGreaterThanOrEqual(3);
    for (const diagram of diagrams) expect(readFileSync(join(copy, diagram), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>$/);
  }, 120_000);

  it('fail the build on a diagram that does not parse', async () => {
    const { renderSvgs } = await import('benchmarks');
    await expect(renderSvgs([{ id: 'broken', mermaid: 'flowchart LR\n  a --> [' }])).rejects.toThrow();
  }, 60_000);

  it('link only to files that exist', () => {
    expect(brokenLinks()).toEqual([]);
  });

  it('quote only commands that exist', () => {
    expect(missingCommands()).toEqual([]);
    // The checker itself finds a command that does not exist.
    const bogus = join(out, 'bogus.md');
    rmSync(bogus, { force: true });
    writeFileSync(bogus, 'Run `npm run no-such-script` and [this](./nowhere.md).');
    expect(missingCommands([bogus])).toEqual([expect.stringContaining('npm run no-such-script') as unknown]);
    expect(brokenLinks([bogus])).toEqual([expect.stringContaining('./nowhere.md') as unknown]);
  });

  it('check links and commands the way a reader follows them', () => {
    const sample = join(out, 'sample.md');
    writeFileSync(sample, [
      'Links: [web](https://example.org/x), [mail](mailto:a@b.c), [here](#top), [readme](../README.md#quick-start), [gone](./gone.md#x).',
      'Commands: `npm start -w phase1-mock`, `npm run grafana -w harness`, `npm run grafana` (no such root script),',
      '`npm run up -w no-such-workspace`, `npm run build -w core` (a workspace with no scripts), `npm test`.',
      '```sh',
      'a link in code is not a link: [x](./nowhere-in-code.md)',
      '```',
    ].join('\n'));
    // Resolved from the sample's folder: ../README.md is the temp folder's parent's, which does not exist either.
    expect(brokenLinks([sample]).map((line) => line.replace(/^.*: /, ''))).toEqual(['../README.md#quick-start', './gone.md#x']);
    expect(missingCommands([sample]).map((line) => line.replace(/^.*: /, ''))).toEqual(['npm run grafana', 'npm run up -w no-such-workspace', 'npm run build -w core']);
  });

  it('have example clients that run against a phase and show what each carries', async () => {
    const phase = await startPhase1(cleanup);
    const stateless = await run(process.execPath, [join(repoRoot, 'docs/examples/stateless-client.mjs'), phase.url]);
    expect(stateless.stdout).toContain('served by phase1-mock/mock-1');
    expect(stateless.stdout).toMatch(/counter 3, 2 cart lines, a token/);
    const stateful = await run(process.execPath, [join(repoRoot, 'docs/examples/stateful-client.mjs'), phase.url]);
    const cookie = /Run again with the cookie: .* '(sid=[^']+)'/.exec(stateful.stdout)?.[1];
    expect(cookie).toBeDefined();
    const again = await run(process.execPath, [join(repoRoot, 'docs/examples/stateful-client.mjs'), phase.url, cookie ?? '']);
    expect(again.stdout).toContain('"value":6');
    const restarted = await phase.restart();
    const gone = await run(process.execPath, [join(repoRoot, 'docs/examples/stateful-client.mjs'), restarted.url, cookie ?? '']);
    expect(gone.stdout).toContain('That session is gone');
  }, 60_000);
});
