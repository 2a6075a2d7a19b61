/** Users with their password hashes: data/users.json in phase 1, a PostgreSQL table in phase 2. */
import type { SessionUser } from './sessions.ts';
import { DECOY_HASH, verifyPassword } from './passwords.ts';

export interface UserRecord extends SessionUser {
  passwordHash: string;
}

export interface UserDirectory {
  find(username: string): Promise<UserRecord | null>;
}

/** The user if the password is right, otherwise null; takes the same time either way. */
export async function authenticate(users: UserDirectory, username: string, password: string): Promise<SessionUser | null> {
  const user = await users.find(username);
  const ok = await verifyPassword(password, user?.passwordHash ?? DECOY_HASH);
  return ok && user ? { username: user.username, displayName: user.displayName } : null;
}
