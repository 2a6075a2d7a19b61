#!/usr/bin/env node
// A client that carries only a cookie (and the CSRF token on changes); the server keeps the rest.
// Usage: node docs/examples/stateful-client.mjs http://127.0.0.1:3001 [sid=... cookie to reuse]
const base = process.argv[2] ?? 'http://127.0.0.1:3001';
let cookie = process.argv[3] ?? '';
let csrf;

async function call(method, path, { body, headers = {} } = {}) {
  const all = { ...headers, ...(cookie ? { cookie } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
  console.log(`\n> ${method} ${path}  ${JSON.stringify(all)}${body === undefined ? '' : `\n> ${JSON.stringify(body)}`}`);
  const response = await fetch(new URL(path, base), { method, headers: all, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const setCookie = response.headers.get('set-cookie');
  console.log(`< ${response.status}  served by ${response.headers.get('x-served-by')}${setCookie ? `  set-cookie: ${setCookie}` : ''}\n< ${text}`);
  if (setCookie?.startsWith('sid=')) cookie = setCookie.split(';')[0];
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

if (cookie) {
  const current = await call('GET', '/api/stateful/sessions/current');
  if (current.status !== 200) {
    console.log('\nThat session is gone: the server that kept it forgot it (restarted, or it expired).');
    process.exit(0);
  }
  csrf = current.body.csrfToken;
} else {
  csrf = (await call('POST', '/api/stateful/sessions')).body.csrfToken;
}
for (let i = 0; i < 3; i += 1) await call('POST', '/api/stateful/counter/increment', { headers: { 'x-csrf-token': csrf } });
await call('POST', '/api/stateful/cart/items', { headers: { 'x-csrf-token': csrf }, body: { productId: 'kb-001', quantity: 2 } });
await call('GET', '/api/stateful/cart');
console.log(`\nThe client holds only ${cookie.slice(0, 12)}… The counter and the cart are on the server.`);
console.log(`Run again with the cookie: node docs/examples/stateful-client.mjs ${base} '${cookie}'`);
