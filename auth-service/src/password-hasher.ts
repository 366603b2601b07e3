import { Piscina } from 'piscina';
import type { PasswordTask } from './password-worker.js';

/** bcrypt as a port: the domain does not know where the work runs. */
export interface PasswordHasher {
  hash(password: string, cost: number): Promise<string>;
  compare(password: string, hash: string): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * bcrypt on a pool of worker threads, one per core by default: a cost-10 hash is ~60 ms of CPU
 * that would otherwise stall every request behind it on the event loop. The threads run at a
 * lower priority (`nice`, via piscina's optional @napi-rs/nice): when logins saturate the cores,
 * the event loop still gets one for cheap requests such as /auth/validate. Idle threads exit.
 */
export function createPasswordPool(threads: number, niceIncrement = 0): PasswordHasher {
  const pool = new Piscina<PasswordTask, string | boolean>({
    filename: new URL('./password-worker.js', import.meta.url).href,
    minThreads: 0,
    maxThreads: threads,
    idleTimeout: 30_000,
    niceIncrement,
  });
  return {
    hash: async (password, cost) => String(await pool.run({ op: 'hash', password, cost })),
    compare: async (password, hash) => (await pool.run({ op: 'compare', password, hash })) === true,
    close: () => pool.destroy(),
  };
}
