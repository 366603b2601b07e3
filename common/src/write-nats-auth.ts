import { writeFileSync } from 'node:fs';
import { stackNatsAuthorization } from './nats-auth-config.js';

/** `npm run nats-auth -w @faas/common`: rewrites the stack's nats-auth.conf from the permission table. */
const target = process.argv[2];
if (!target) {
  process.stderr.write('usage: node write-nats-auth.js <file>\n');
  process.exit(2);
}
writeFileSync(target, stackNatsAuthorization());
process.stdout.write(`wrote ${target}\n`);
