import { UnauthenticatedError } from '@faas/common';
import type { LoginGuard } from './login-guard.js';
import { loginUser, type UserDeps } from './users.js';

/** A login behind the guard: refused while backing off, and every bad password counted. */
export async function guardedLogin(
  deps: UserDeps & { guard: LoginGuard },
  input: { username: string; password: string },
  address: string,
): Promise<Awaited<ReturnType<typeof loginUser>>> {
  // The failures read here decide whether a success clears them: one KV read per login, not two.
  const { userFailures } = await deps.guard.beforeLogin(input.username, address);
  try {
    const result = await loginUser(deps, input);
    await deps.guard.loginSucceeded(input.username, address, userFailures);
    return result;
  } catch (err) {
    if (err instanceof UnauthenticatedError) await deps.guard.loginFailed(input.username, address);
    throw err;
  }
}
