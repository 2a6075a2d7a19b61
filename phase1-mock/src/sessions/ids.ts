import { randomBytes } from 'node:crypto';

/** 256 random bits: unguessable, as OWASP asks of session ids (at least 64 bits of entropy). */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

export function newCsrfToken(): string {
  return randomBytes(24).toString('base64url');
}
