/** Prints a scrypt hash for data/users.json: `npx tsx scripts/hash-password.ts <password>`. */
import { hashPassword } from '../src/auth/passwords.ts';

const password = process.argv[2];
if (!password) {
  console.error('usage: tsx scripts/hash-password.ts <password>');
  process.exit(2);
}
console.log(await hashPassword(password));
