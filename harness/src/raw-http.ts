/**
 * An HTTP request written byte for byte on a raw socket, as a broken client or an attacker sends
 * what no HTTP library would (a malformed request line, oversized headers), and the answer read
 * until the server closes. Each request should ask for `Connection: close`. An https URL is reached
 * over TLS (HTTP/1.1 by ALPN), verifying the server's certificate against `ca`.
 */
import { connect } from 'node:net';
import { connect as connectTls } from 'node:tls';

export interface RawAnswer {
  status: number;
  headers: Map<string, string>;
  body: string;
}

export function rawRequest(baseUrl: string, request: string | Buffer, options: { ca?: string; timeoutMs?: number } = {}): Promise<RawAnswer> {
  const { hostname, port, protocol } = new URL(baseUrl);
  const timeoutMs = options.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    const socket = protocol === 'https:'
      ? connectTls({ port: Number(port), host: hostname, ca: options.ca, servername: hostname === '127.0.0.1' ? undefined : hostname, ALPNProtocols: ['http/1.1'] })
      : connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => { socket.destroy(new Error(`no answer within ${timeoutMs} ms`)); });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const headers = new Map(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()] as const));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
    // Written, not ended: a proxy takes a half-closed connection for a client that gave up.
    socket.write(request);
  });
}
