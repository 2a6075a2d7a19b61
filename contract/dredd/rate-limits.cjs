/**
 * Rate limits: exhaust the operation's budget with real requests until it answers 429 and the
 * window has at least half its length left (the contract run's window is 4 s), so the transaction
 * itself lands inside it even on a busy machine, where one request through nginx and TLS can take
 * close to 2 s; afterwards wait for the window to end so that later transactions are not limited.
 */
const SECONDS_LEFT = 2;
const { call, sleep } = require('./lib.cjs');

async function exhaustRateLimit(method, path) {
  for (let attempt = 0; attempt < 1000; attempt += 1) {
    const response = await call(method, path, { body: {} });
    if (response.status === 429) {
      const reset = Number(response.headers.get('ratelimit-reset') || response.headers.get('retry-after'));
      if (reset >= SECONDS_LEFT) return;
      await sleep(reset * 1000 + 100); // the window is about to close: let it, and start again in a fresh one
    }
  }
  throw new Error(`${method} ${path} never answered 429`);
}

async function waitForRateLimitReset(transaction) {
  const seconds = Number(transaction.real && transaction.real.headers['retry-after']) || 1;
  await sleep(seconds * 1000 + 100);
}

module.exports = { exhaustRateLimit, waitForRateLimitReset };
