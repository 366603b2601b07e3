import { randomBytes } from 'node:crypto';
import { bcrypt, bcryptVerify } from 'hash-wasm';

/** One bcrypt job, run on a pool thread so the event loop keeps serving other requests. */
export type PasswordTask =
  | { readonly op: 'hash'; readonly password: string; readonly cost: number }
  | { readonly op: 'compare'; readonly password: string; readonly hash: string };

/** bcrypt's salt: 16 random bytes. */
const SALT_BYTES = 16;

/**
 * bcrypt in WebAssembly (hash-wasm): the same algorithm and encoding as bcryptjs, which made the
 * existing hashes (`$2b$`, verified here as they are; new ones are `$2a$`, which bcryptjs and every
 * other bcrypt read), for ~20 % less CPU per hash (docs/limits.md). Passwords are at most 72 bytes
 * (auth-input), so no implementation's handling of longer ones matters.
 */
export default async function runPasswordTask(task: PasswordTask): Promise<string | boolean> {
  if (task.op === 'hash') {
    return bcrypt({ password: task.password, salt: randomBytes(SALT_BYTES), costFactor: task.cost, outputType: 'encoded' });
  }
  try {
    return await bcryptVerify({ password: task.password, hash: task.hash });
  } catch {
    // A stored value that is no bcrypt hash at all matches no password (bcryptjs answered false too).
    return false;
  }
}
