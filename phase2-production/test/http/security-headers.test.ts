import { describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { helmetHeaders, securityHeaders } from '../../src/http/security-headers.ts';

describe('security headers', () => {
  it("are helmet's, recorded once: its policy, nosniff, no HSTS when told so, and no X-Powered-By", () => {
    const headers = helmetHeaders({ hsts: false });
    expect(headers['content-security-policy']).toContain("default-src 'self'");
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(headers).not.toHaveProperty('strict-transport-security');
    expect(helmetHeaders({})).toHaveProperty('strict-transport-security');
    expect(Object.keys(headers)).not.toContain('x-powered-by');
    expect(() => helmetHeaders({ referrerPolicy: { policy: 'nonsense' as 'no-referrer' } })).toThrow();
  });

  it('are on every answer, a route that does not exist included', async () => {
    const app = Fastify();
    securityHeaders(app, { hsts: false });
    app.get('/', () => ({ ok: true }));
    for (const url of ['/', '/nowhere']) {
      const response = await app.inject({ url });
      expect(response.headers['content-security-policy'], url).toBe(helmetHeaders({ hsts: false })['content-security-policy']);
      expect(response.headers['cross-origin-opener-policy'], url).toBe('same-origin');
    }
    await app.close();
  });
});
