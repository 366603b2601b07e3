import { randomUUID } from 'node:crypto';
import { ConflictError, ForbiddenError, UnauthenticatedError, issueToken, type Principal, type TokenSettings } from '@faas/common';
import type { PasswordHasher } from './password-hasher.js';
import type { StoredUser, UserStore } from './user-store.js';

export interface UserDeps {
  readonly users: UserStore;
  readonly bcryptCost: number;
  readonly passwords: PasswordHasher;
  readonly token: TokenSettings;
  /** ADMIN_USERNAME: never available to self-registration. */
  readonly adminUsername?: string;
}

export interface PublicUser {
  readonly id: string;
  readonly username: string;
  readonly role: string;
  readonly createdAt: string;
}

const toPublic = ({ id, username, role, createdAt }: StoredUser): PublicUser => ({ id, username, role, createdAt });

export async function registerUser(deps: UserDeps, input: { username: string; password: string }): Promise<PublicUser> {
  if (deps.adminUsername && input.username.toLowerCase() === deps.adminUsername.toLowerCase()) {
    throw new ConflictError('username is already taken');
  }
  const user: StoredUser = {
    id: randomUUID(),
    username: input.username,
    passwordHash: await deps.passwords.hash(input.password, deps.bcryptCost),
    role: 'user',
    createdAt: new Date().toISOString(),
  };
  await deps.users.create(user);
  return toPublic(user);
}

/** Unknown user and wrong password are the same error, and cost the same bcrypt work. */
const BAD_CREDENTIALS = 'invalid username or password';
let decoyHash: Promise<string> | undefined;

export async function loginUser(
  deps: UserDeps,
  input: { username: string; password: string },
): Promise<{ token: string; expiresIn: number; user: PublicUser }> {
  const user = await deps.users.find(input.username);
  if (!user) {
    decoyHash ??= deps.passwords.hash('decoy-password', deps.bcryptCost);
    await deps.passwords.compare(input.password, await decoyHash);
    throw new UnauthenticatedError(BAD_CREDENTIALS);
  }
  if (!(await deps.passwords.compare(input.password, user.passwordHash))) throw new UnauthenticatedError(BAD_CREDENTIALS);
  // Only after the password matched: the state of an account is not told to strangers.
  if (user.disabled) throw new ForbiddenError('user is disabled; an admin can enable it');
  const principal = { id: user.id, username: user.username, role: user.role, generation: user.tokenGeneration ?? 0 };
  const issued = await issueToken(deps.token, principal);
  return { ...issued, user: toPublic(user) };
}

/** The token was verified already; the user must also still exist. */
export async function currentUser(deps: Pick<UserDeps, 'users'>, principal: Principal): Promise<PublicUser> {
  const user = await deps.users.find(principal.username);
  if (!user || user.id !== principal.id) throw new UnauthenticatedError('user no longer exists');
  return toPublic(user);
}
