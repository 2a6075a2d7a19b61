#!/usr/bin/env node
// A client that carries its own state: the counter value, the whole cart, the bearer token.
// Usage: node docs/examples/stateless-client.mjs http://127.0.0.1:3001
const base = process.argv[2] ?? 'http://127.0.0.1:3001';

async function call(method, path, { body, headers = {} } = {}) {
  const init = { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) };
  console.log(`\n> ${method} ${path}${Object.keys(init.headers).length ? `  ${JSON.stringify(init.headers)}` : ''}${body === undefined ? '' : `\n> ${JSON.stringify(body)}`}`);
  const response = await fetch(new URL(path, base), init);
  const text = await response.text();
  console.log(`< ${response.status}  served by ${response.headers.get('x-served-by')}\n< ${text}`);
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}`);
  return JSON.parse(text);
}

let counter = { value: 0 };
for (let i = 0; i < 3; i += 1) counter = await call('POST', '/api/stateless/counter', { body: counter });
const cart = { items: [{ productId: 'kb-001', quantity: 2 }, { productId: 'ms-002', quantity: 1 }] };
await call('POST', '/api/stateless/cart/quote', { body: cart });
const tokens = await call('POST', '/api/auth/tokens', { body: { username: 'alice', password: 'wonderland' } });
await call('GET', '/api/stateless/me', { headers: { authorization: `Bearer ${tokens.accessToken}` } });
console.log(`\nThe client holds everything: counter ${counter.value}, ${cart.items.length} cart lines, a token. The server kept none of it.`);
