import { ConflictError, NotFoundError, type Principal } from '@faas/common';
import type { AccountWriter } from './account-writer.js';
import type { AdminLock } from './admin-lock.js';
import { changeStoredUser } from './change-user.js';
import type { UserEraser } from './user-erasure.js';
import type { StoredUser, UserStore } from './user-store.js';

export interface AdminDeps {
  readonly users: UserStore;
  readonly accounts: AccountWriter;
  readonly eraseUser: UserEraser;
  /** Held while a change that can take an admin away checks that another one stays. */
  readonly adminLock: AdminLock;
}

export interface AdminUserView {
  readonly id: string;
  readonly username: string;
  readonly role: string;
  readonly createdAt: string;
  readonly disabled: boolean;
  readonly maxConcurrent: number | null;
}

export interface UserChange {
  readonly disabled?: boolean;
  /** null removes the override. */
  readonly maxConcurrent?: number | null;
}

export const adminView = (u: StoredUser): AdminUserView => ({
  id: u.id,
  username: u.username,
  role: u.role,
  createdAt: u.createdAt,
  disabled: u.disabled === true,
  maxConcurrent: u.maxConcurrent ?? null,
});

const notFound = (username: string): NotFoundError => new NotFoundError(`user ${username} not found`);
const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

async function enabledAdminsOtherThan(users: UserStore, userId: string): Promise<number> {
  const all = await Promise.all((await users.keys()).map((key) => users.find(key)));
  return all.filter((u) => u && u.role === 'admin' && !u.disabled && u.id !== userId).length;
}

/** The platform must keep one admin who can still log in. */
async function refuseLastAdmin(users: UserStore, target: StoredUser, action: string): Promise<void> {
  if (target.role !== 'admin' || target.disabled) return;
  if ((await enabledAdminsOtherThan(users, target.id)) === 0) {
    throw new ConflictError(`cannot ${action} ${target.username}: it is the last enabled admin`);
  }
}

export async function listUsers(deps: Pick<AdminDeps, 'users'>, page: { limit: number; after?: string }): Promise<{ items: AdminUserView[]; last: string | null }> {
  const keys = (await deps.users.keys()).filter((k) => page.after === undefined || k > page.after).sort(byCodePoint);
  const slice = keys.slice(0, page.limit);
  const found = await Promise.all(slice.map((key) => deps.users.find(key)));
  const items = found.flatMap((u) => (u ? [adminView(u)] : []));
  return { items, last: keys.length > slice.length ? (slice[slice.length - 1] ?? null) : null };
}

export async function getUser(deps: Pick<AdminDeps, 'users'>, username: string): Promise<AdminUserView> {
  const user = await deps.users.find(username);
  if (!user) throw notFound(username);
  return adminView(user);
}

/** Disabling revokes every token issued so far (enabling again does not bring them back). */
export async function changeUser(deps: AdminDeps, username: string, change: UserChange): Promise<AdminUserView> {
  const write = (): Promise<StoredUser> =>
    changeStoredUser(deps, username, async (user) => {
      if (change.disabled === true) await refuseLastAdmin(deps.users, user, 'disable');
      const { maxConcurrent: _old, ...rest } = user;
      const quota = change.maxConcurrent === undefined ? user.maxConcurrent : (change.maxConcurrent ?? undefined);
      const disabling = change.disabled === true && !user.disabled;
      return {
        ...rest,
        ...(change.disabled !== undefined ? { disabled: change.disabled } : {}),
        ...(disabling ? { tokenGeneration: (user.tokenGeneration ?? 0) + 1 } : {}),
        ...(quota !== undefined ? { maxConcurrent: quota } : {}),
      };
    });
  // The check and the write as one step: two admins disabling each other at once left no admin.
  // Only an admin can be the last one (a role never changes), so only disabling one takes the lock.
  const lastAdminAtStake = change.disabled === true && (await deps.users.get(username))?.user.role === 'admin';
  return adminView(lastAdminAtStake ? await deps.adminLock.run(write) : await write());
}

/**
 * Tokens are refused first, then the user's data goes, then the account itself. An admin is
 * disabled under the admin lock first (refused if it is the last one), so it counts as gone at once.
 */
export async function deleteUser(deps: AdminDeps, username: string): Promise<void> {
  const found = await deps.users.get(username);
  if (!found) throw notFound(username);
  if (found.user.role === 'admin') {
    await deps.adminLock.run(() =>
      changeStoredUser(deps, username, async (user) => {
        await refuseLastAdmin(deps.users, user, 'delete');
        return user.disabled ? undefined : { ...user, disabled: true, tokenGeneration: (user.tokenGeneration ?? 0) + 1 };
      }),
    );
  }
  await deps.accounts.tombstone(found.user.id);
  await deps.eraseUser(found.user.id);
  await deps.users.remove(found.user.username);
}

/** Every token issued to the caller so far is refused from now on, at every service. */
export async function logoutEverywhere(deps: Pick<AdminDeps, 'users' | 'accounts'>, principal: Principal): Promise<void> {
  let first: number | undefined;
  await changeStoredUser(deps, principal.username, (user) => {
    if (user.id !== principal.id) throw notFound(principal.username);
    const generation = user.tokenGeneration ?? 0;
    first ??= generation;
    // Raised by someone else (a concurrent logout-all) since this one began: it revoked the same tokens.
    if (generation > first) return undefined;
    return { ...user, tokenGeneration: generation + 1 };
  });
}
