import { USERNAME_PATTERN, apiError, type ApiRoute, type SameType } from '@faas/common';
import { z } from 'zod';
import { authInput } from './auth-input.js';
import type { PublicUser } from './users.js';

export const publicUserSchema = z
  .object({ id: z.uuid(), username: z.string().regex(USERNAME_PATTERN), role: z.string(), createdAt: z.iso.datetime() })
  .meta({ id: 'User', description: 'A user, without the password hash' });
const _userMatches: SameType<z.output<typeof publicUserSchema>, PublicUser> = true;

const tokenSchema = z
  .object({ token: z.string().meta({ description: 'an HS256 JWT' }), expiresIn: z.number().int().meta({ description: 'seconds' }), tokenType: z.literal('Bearer') })
  .meta({ id: 'Token' });

/** The /auth routes (routes.ts), described with the schemas they parse their input with. */
export function authApiRoutes(deps: { readonly passwordMinLength: number }): ApiRoute[] {
  const input = authInput(deps.passwordMinLength);
  return [
    { method: 'post', path: '/register', summary: 'Register a user', body: input.registration, responses: { 201: publicUserSchema, 409: apiError('the username is taken (regardless of case)') } },
    { method: 'post', path: '/login', summary: 'Log in: a bearer token', body: input.credentials, responses: { 200: tokenSchema, 401: apiError('unknown user or wrong password') } },
    { method: 'get', path: '/validate', summary: 'The user behind a token', auth: true, responses: { 200: publicUserSchema } },
  ];
}
