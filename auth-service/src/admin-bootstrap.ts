import { randomUUID } from 'node:crypto';
import { ConflictError, type Logger } from '@faas/common';
import type { PasswordHasher } from './password-hasher.js';
import type { UserStore } from './user-store.js';

export interface AdminAccount {
  readonly username: string;
  readonly password: string;
}

/**
 * Makes sure ADMIN_USERNAME exists as an admin with the password from ADMIN_PASSWORD_FILE
 * (a changed file changes the password at the next start). Replicas may race: the loser of the
 * create finds the winner's admin. A name already held by a plain user is never promoted: that
 * user chose its password, not the operator.
 */
export async function ensureAdmin(deps: { users: UserStore; passwords: PasswordHasher; bcryptCost: number }, admin: AdminAccount, logger: Logger): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const found = await deps.users.get(admin.username);
    if (!found) {
      const passwordHash = await deps.passwords.hash(admin.password, deps.bcryptCost);
      try {
        await deps.users.create({ id: randomUUID(), username: admin.username, passwordHash, role: 'admin', createdAt: new Date().toISOString() });
        logger.info({ username: admin.username }, 'admin account created');
        return;
      } catch (err) {
        if (err instanceof ConflictError) continue;
        throw err;
      }
    }
    if (found.user.role !== 'admin') {
      logger.error({ username: admin.username }, 'ADMIN_USERNAME is held by a non-admin user: no admin was set up');
      return;
    }
    if (await deps.passwords.compare(admin.password, found.user.passwordHash)) return;
    try {
      await deps.users.update({ ...found.user, passwordHash: await deps.passwords.hash(admin.password, deps.bcryptCost) }, found.revision);
      logger.info({ username: admin.username }, 'admin password updated from ADMIN_PASSWORD_FILE');
      return;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
}
