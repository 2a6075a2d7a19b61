/**
 * The one nginx template both compose's nginx and the harness's fill in: every `${NAME}` replaced,
 * nginx's own `$variables` left alone, and a placeholder without a value refused rather than left
 * in a configuration nginx would then misread.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NGINX_TEMPLATE, renderTemplate, upstreamLines } from '../src/infra/nginx.ts';

describe('renderTemplate', () => {
  it('fills every placeholder and leaves nginx\'s variables alone', () => {
    expect(renderTemplate('listen ${LISTEN}; proxy_set_header Host $host; ${UPSTREAM_SERVERS}', { LISTEN: '8443', UPSTREAM_SERVERS: upstreamLines([{ port: 3001 }, { port: 3002 }]) }))
      .toBe('listen 8443; proxy_set_header Host $host; server 127.0.0.1:3001 max_fails=1 fail_timeout=2s;\n    server 127.0.0.1:3002 max_fails=1 fail_timeout=2s;');
  });

  it('refuses a placeholder it has no value for, naming it', () => {
    const template = readFileSync(NGINX_TEMPLATE, 'utf8');
    expect(() => renderTemplate(template, {})).toThrow(/^nginx template: no value for \$\{[A-Z_]+\}$/);
  });
});
