/**
 * Checking a username and password, shared by token sign-in and session sign-in: the attempt is
 * counted for the username and client first (SignInAttempts), then the password is checked in
 * constant time. While the budget the attempt counts in is spent even the right password is
 * refused, or the answer would tell a guesser when they had found it.
 */
import { ProblemError } from '../problems.ts';
import type { SessionUser } from '../sessions.ts';
import { authenticate } from '../users.ts';
import type { OperationContext } from './types.ts';

/** One answer for a wrong password and an unknown user, so the answer reveals neither. */
export function invalidCredentials(): ProblemError {
  return new ProblemError(401, 'AUTH_INVALID_CREDENTIALS', 'Unknown user or wrong password.');
}

export async function checkCredentials(context: OperationContext, username: string, password: string, client: string): Promise<SessionUser> {
  const waitSeconds = await context.signInAttempts.attempt(username, client);
  if (waitSeconds > 0) {
    throw new ProblemError(429, 'RATE_LIMITED', `Too many sign-in attempts for this user; try again in ${waitSeconds} s.`, {
      headers: { 'Retry-After': String(waitSeconds) },
    });
  }
  const user = await authenticate(context.users, username, password);
  if (!user) throw invalidCredentials();
  await context.signInAttempts.succeeded(username, client);
  return user;
}
