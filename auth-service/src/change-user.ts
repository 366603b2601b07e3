import { ConflictError, NotFoundError, UnavailableError } from '@faas/common';
import type { AccountWriter } from './account-writer.js';
import type { StoredUser, UserStore } from './user-store.js';

const WRITE_ATTEMPTS = 10;
const notFound = (username: string): NotFoundError => new NotFoundError(`user ${username} not found`);

/**
 * Revision-checked read-change-write of one user, retried on a lost race; then every service is
 * told. `change` may return undefined: nothing to write (the user is told again all the same).
 */
export async function changeStoredUser(
  deps: { readonly users: UserStore; readonly accounts: AccountWriter },
  username: string,
  change: (u: StoredUser) => Promise<StoredUser | undefined> | StoredUser | undefined,
): Promise<StoredUser> {
  for (let i = 0; i < WRITE_ATTEMPTS; i++) {
    const found = await deps.users.get(username);
    if (!found) throw notFound(username);
    const next = await change(found.user);
    if (!next) {
      await deps.accounts.publish(found.user);
      return found.user;
    }
    try {
      await deps.users.update(next, found.revision);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 20 * (i + 1)));
      continue;
    }
    await deps.accounts.publish(next);
    return next;
  }
  throw new UnavailableError(`user ${username} kept changing; try again`);
}
