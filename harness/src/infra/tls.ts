/**
 * The lab's own certificate authority and nginx's certificate, made with openssl (Debian's, found
 * or installed like the other programs), as mkcert does for a developer: one CA per checkout, kept
 * in `.lab/tls/` (git ignores it) so that the file a learner hands to `curl --cacert` or imports
 * into a browser stays the same from one `npm run up` to the next. The server certificate names
 * localhost, 127.0.0.1 and ::1 (and `nginx`, compose's service name) and is renewed a month before
 * it expires. Nothing here turns verification off: clients are given the CA instead.
 */
import { spawnSync } from 'node:child_process';
import { X509Certificate, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { dirname, join } from 'node:path';
import { Agent, setGlobalDispatcher } from 'undici';
import { repoRoot } from '../paths.ts';
import { ensurePrograms } from './binaries.ts';

export interface LabTls {
  dir: string;
  /** The CA's certificate: what clients trust (`curl --cacert`, NODE_EXTRA_CA_CERTS). */
  caFile: string;
  certFile: string;
  keyFile: string;
}

export const TLS_DIR = join(repoRoot, '.lab', 'tls');
const SERVER_NAMES = 'DNS:localhost,DNS:nginx,IP:127.0.0.1,IP:::1';
/** The most a browser accepts for a server certificate (CA/Browser Forum, 398 days). */
const SERVER_DAYS = 397;
const RENEW_WITHIN_SECONDS = 30 * 24 * 3600;

function files(dir: string): LabTls {
  return { dir, caFile: join(dir, 'ca.pem'), certFile: join(dir, 'server.pem'), keyFile: join(dir, 'server-key.pem') };
}

function openssl(binary: string, args: string[], cwd: string): void {
  const result = spawnSync(binary, args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed:\n${result.stderr}`);
}

/**
 * The certificate exists, is a server certificate the CA signed, names localhost and 127.0.0.1,
 * and is good for another month.
 */
function usable(tls: LabTls): boolean {
  try {
    const ca = new X509Certificate(readFileSync(tls.caFile));
    const server = new X509Certificate(readFileSync(tls.certFile));
    return existsSync(tls.keyFile)
      && ca.ca && !server.ca
      && server.checkIssued(ca) && server.verify(ca.publicKey)
      && server.checkHost('localhost') !== undefined && server.checkIP('127.0.0.1') !== undefined
      && Date.parse(server.validTo) > Date.now() + RENEW_WITHIN_SECONDS * 1000;
  } catch {
    return false;
  }
}

function makeServerCertificate(binary: string, dir: string): void {
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(binary, ['req', ...ecKey, '-keyout', 'server-key.pem', '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
  writeFileSync(join(dir, 'server.ext'), [
    `subjectAltName=${SERVER_NAMES}`,
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
    '',
  ].join('\n'));
  openssl(binary, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-set_serial', `0x${randomSerial()}`,
    '-days', String(SERVER_DAYS), '-extfile', 'server.ext', '-out', 'server.pem'], dir);
  rmSync(join(dir, 'server.csr'));
  rmSync(join(dir, 'server.ext'));
}

/** Certificates from one CA need distinct serials; random ones need no counter file. */
function randomSerial(): string {
  return randomBytes(16).toString('hex');
}

/**
 * The CA and nginx's certificate, made on first use. Built in a temp dir and moved into place in
 * one rename, so two test processes asking at once never see half a set.
 */
export function labTls(dir = TLS_DIR): LabTls {
  const { openssl: binary } = ensurePrograms(['openssl']);
  const tls = files(dir);
  if (usable(tls)) return tls;
  mkdirSync(dirname(dir), { recursive: true });
  const work = mkdtempSync(join(dirname(dir), 'tls-new-'));
  try {
    if (existsSync(tls.caFile) && existsSync(join(dir, 'ca-key.pem'))) {
      // Keep the CA a learner may already trust; only the server certificate is renewed.
      for (const name of ['ca.pem', 'ca-key.pem']) writeFileSync(join(work, name), readFileSync(join(dir, name)), { mode: 0o600 });
    } else {
      openssl(binary, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '3650', '-subj', '/CN=stateless-vs-stateful-lab local CA',
        '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], work);
    }
    makeServerCertificate(binary, work);
    if (usable(tls)) return tls; // another process finished first
    rmSync(dir, { recursive: true, force: true });
    try {
      renameSync(work, dir);
    } catch (error) {
      if (!usable(tls)) throw error;
    }
    return tls;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

let trusted: string | null = null;

/**
 * Makes this process's `fetch` trust the lab's CA besides the usual public ones, as
 * NODE_EXTRA_CA_CERTS would for a process started with it. Verification stays on: a certificate
 * the CA did not sign is still refused.
 */
export function trustLabCa(caFile: string): void {
  const ca = readFileSync(caFile, 'utf8');
  if (trusted === ca) return;
  setGlobalDispatcher(new Agent({ connect: { ca: [...rootCertificates, ca] } }));
  trusted = ca;
}
