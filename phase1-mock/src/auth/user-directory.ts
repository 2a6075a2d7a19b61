/** The users of data/users.json, held in a Map. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UserDirectory, UserRecord } from 'core';

export function readUsersFile(dataDir: string): UserRecord[] {
  return JSON.parse(readFileSync(join(dataDir, 'users.json'), 'utf8')) as UserRecord[];
}

export class JsonUserDirectory implements UserDirectory {
  readonly #byName: Map<string, UserRecord>;

  constructor(users: UserRecord[]) {
    this.#byName = new Map(users.map((user) => [user.username, user]));
  }

  find(username: string): Promise<UserRecord | null> {
    return Promise.resolve(this.#byName.get(username) ?? null);
  }
}
