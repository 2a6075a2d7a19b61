/**
 * The virtual users in a process of their own, for the benchmark that measures what the lab costs:
 * in `npm run up` they run in the harness's process, never in a load generator's, and a
 * measurement must not make them share one. Prints its metrics address; stops on SIGTERM or SIGINT.
 *
 *   node --import tsx harness/src/lab/crowd-process.ts <phase 1 URL> <phase 2 URL> <port> [CA file]
 */
import { createServer } from 'node:http';
import { Cleanup } from '../cleanup.ts';
import { trustLabCa } from '../infra/tls.ts';
import { startCrowds } from './lab.ts';

const [phase1Url, phase2Url, port, caFile] = process.argv.slice(2);
if (!phase1Url || !phase2Url || !port) {
  console.error('usage: crowd-process.ts <phase 1 URL> <phase 2 URL> <port> [CA file]');
  process.exit(2);
}
if (caFile) trustLabCa(caFile);
const cleanup = new Cleanup();
Cleanup.stopEverythingOnExit();
const { registry, crowds } = startCrowds(cleanup, { phase1Url, phase2Url });
const server = createServer((req, res) => {
  if (req.url === '/counts') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(crowds.map((c) => ({ phase: c.phase, ...c.counts() }))));
    return;
  }
  void registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text));
});
server.listen(Number(port), '127.0.0.1', () => { console.log(`crowd metrics on http://127.0.0.1:${port}/metrics`); });
cleanup.add('stop the metrics server', () => new Promise<void>((resolve) => { server.close(() => { resolve(); }); server.closeAllConnections(); }));
