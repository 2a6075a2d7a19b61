/**
 * helmet's security headers on every answer, worked out once. helmet decides them from its
 * options alone, never from the request, yet @fastify/helmet runs helmet's whole middleware chain
 * on every request (it rebuilt the Content-Security-Policy string each time): about a tenth of a
 * stateless request's CPU in a profile of this app. helmet still writes the headers; they are
 * recorded at start-up and copied onto each reply.
 */
import { IncomingMessage, type ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/** The headers helmet sets with these options, as it would set them on a response. */
export function helmetHeaders(options: Readonly<HelmetOptions>): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a header helmet takes away (X-Powered-By), by name
      delete headers[name.toLowerCase()];
    },
  };
  // helmet refuses bad options when it is built (it throws), so its middleware only sets headers.
  helmet(options)(new IncomingMessage(new Socket()), recorder as unknown as ServerResponse, () => undefined);
  return headers;
}

export function securityHeaders(app: FastifyInstance, options: Readonly<HelmetOptions>): void {
  const headers = helmetHeaders(options);
  app.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(headers);
    done();
  });
}
