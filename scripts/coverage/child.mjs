/**
 * Loaded into every Node process the tests start (NODE_OPTIONS=--import, set by
 * scripts/coverage/setup.ts in each test worker, and by scripts/coverage/run.ts for the contract
 * run): V8's precise coverage of the repository's own source files, written at exit to
 * LAB_COVERAGE_DIR with the code V8 ran (tsx's output, its source map inline), so that
 * scripts/coverage/report.ts can map it back to the TypeScript the way vitest maps its own.
 */
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.LAB_COVERAGE_DIR;
const root = process.env.LAB_COVERAGE_ROOT;
if (dir && root) {
  const ours = (url) => url.startsWith(`file://${root}/`) && /\/src\/.*\.ts$/.test(url) && !url.includes('/node_modules/');
  const session = new Session();
  session.connect();
  const scripts = new Set();
  session.on('Debugger.scriptParsed', ({ params }) => { if (ours(params.url)) scripts.add(params.scriptId); });
  session.post('Debugger.enable');
  session.post('Profiler.enable');
  session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  // A same-thread session answers synchronously, so this runs to the end inside 'exit'.
  process.on('exit', () => {
    session.post('Profiler.takePreciseCoverage', (error, taken) => {
      if (error) return;
      const entries = [];
      for (const script of taken.result) {
        if (!scripts.has(script.scriptId)) continue;
        session.post('Debugger.getScriptSource', { scriptId: script.scriptId }, (sourceError, source) => {
          if (!sourceError) entries.push({ url: script.url, source: source.scriptSource, functions: script.functions });
        });
      }
      if (entries.length > 0) writeFileSync(join(dir, `child-${process.pid}-${Date.now()}.json`), JSON.stringify(entries));
    });
  });
}
