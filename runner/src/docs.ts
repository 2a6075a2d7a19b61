/**
 * The docs' generated parts: the API reference (Redocly) and every Mermaid diagram of the guide
 * rendered to SVG (Mermaid in Chromium, the same renderer as the benchmark report), so they show where
 * Mermaid does not. Also the checks the docs test runs: links that resolve, commands that exist.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { renderSvgs } from 'benchmarks';
import { docsDir, repoRoot } from './paths.ts';

export const DOCS_DIR = docsDir;

/** The guide's Markdown files, and the READMEs, which the checks also read. */
export function markdownFiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (name === 'node_modules' || name === 'reports' || name.startsWith('.')) continue;
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.md')) found.push(path);
    }
  };
  walk(DOCS_DIR);
  for (const workspace of ['', 'contract', 'core', 'phase1-mock', 'phase2-production', 'benchmarks', 'harness', 'runner']) found.push(join(repoRoot, workspace, 'README.md'));
  return found;
}

export function mermaidBlocks(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => String(m[1]));
}

/** Renders every diagram of docs/*.md to docs/diagrams/<file>-<n>.svg; throws on a broken one. */
export async function renderDiagrams(outDir = join(DOCS_DIR, 'diagrams')): Promise<string[]> {
  const charts = markdownFiles()
    .filter((file) => file.startsWith(DOCS_DIR))
    .flatMap((file) => mermaidBlocks(file).map((mermaid, i) => ({ id: `${relative(DOCS_DIR, file).replace(/\.md$/, '').replaceAll('/', '-')}-${i + 1}`, title: file, mermaid })));
  const svgs = await renderSvgs(charts);
  mkdirSync(outDir, { recursive: true });
  // One SVG per chart, by its id, in the charts' order.
  return [...svgs].map(([id, svg]) => {
    const path = join(outDir, `${id}.svg`);
    writeFileSync(path, svg);
    return path;
  });
}

export function buildApiReference(): void {
  const result = spawnSync('npm', ['run', 'docs', '-w', 'contract'], { cwd: repoRoot, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`redocly build-docs failed:\n${result.stdout}\n${result.stderr}`);
}

/** Relative links (files, folders) that point at nothing. */
export function brokenLinks(files = markdownFiles()): string[] {
  const broken: string[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
    for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = String(match[1]);
      if (/^(https?:|mailto:|#)/.test(target)) continue;
      const path = resolve(dirname(file), target.replace(/#.*$/, ''));
      if (!existsSync(path)) broken.push(`${relative(repoRoot, file)}: ${target}`);
    }
  }
  return broken;
}

function scripts(workspace: string): Set<string> {
  const pkg = JSON.parse(readFileSync(join(repoRoot, workspace, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  return new Set(Object.keys(pkg.scripts ?? {}));
}

/** `npm start`, `npm test`, `npm run x` and `npm run x -w ws` quoted in the docs that name no script. */
export function missingCommands(files = markdownFiles()): string[] {
  const missing: string[] = [];
  const root = scripts('');
  for (const file of files) {
    for (const match of readFileSync(file, 'utf8').matchAll(/npm (start|test|run ([\w:-]+))(?: -w ([\w-]+))?/g)) {
      const script = match[2] ?? String(match[1]);
      const workspace = match[3];
      const known = workspace ? existsSync(join(repoRoot, workspace, 'package.json')) && scripts(workspace).has(script) : root.has(script);
      if (!known) missing.push(`${relative(repoRoot, file)}: ${match[0]}`);
    }
  }
  return [...new Set(missing)];
}
