/** Prints a scrypt hash for phase1-mock/data/users.json: `npx tsx core/scripts/hash-password.ts <password>`. */
import { hashPassword } from '../src/index.ts';

const password = process.argv[2];
if (!password) {
  console.error('usage: tsx scripts/hash-password.ts <password>');
  process.exit(2);
}
console.log(await hashPassword(password));
