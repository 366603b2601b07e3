import { USERNAME_PATTERN, apiError, usernameSchema, type ApiRoute, type SameType } from '@faas/common';
import { z } from 'zod';
import type { AdminUserView } from './admin.js';
import { adminPageQuery, userChangeSchema } from './admin-routes.js';
import { authInput } from './auth-input.js';
import type { PublicUser } from './users.js';

export const publicUserSchema = z
  .object({ id: z.uuid(), username: z.string().regex(USERNAME_PATTERN), role: z.string(), createdAt: z.iso.datetime() })
  .meta({ id: 'User', description: 'A user, without the password hash' });
const _userMatches: SameType<z.output<typeof publicUserSchema>, PublicUser> = true;

const tokenSchema = z
  .object({ token: z.string().meta({ description: 'an HS256 JWT' }), expiresIn: z.number().int().meta({ description: 'seconds' }), tokenType: z.literal('Bearer') })
  .meta({ id: 'Token' });

const adminUserSchema = publicUserSchema
  .extend({ disabled: z.boolean(), maxConcurrent: z.number().int().nullable().meta({ description: "the user's own concurrency limit; null: the publisher's default" }) })
  .meta({ id: 'AdminUser', description: 'A user as the admin API shows it' });
const _adminUserMatches: SameType<z.output<typeof adminUserSchema>, AdminUserView> = true;
const adminParams = { username: usernameSchema };
const notAdmin = apiError('the token is not an admin\'s');
const noUser = apiError('no such user');

/** `/admin/users...` and `/logout-all` (admin-routes.ts). */
const adminApiRoutes: ApiRoute[] = [
  { method: 'post', path: '/logout-all', summary: 'Log out everywhere: every token issued to you so far is refused', auth: true, responses: { 204: { description: 'done' } } },
  {
    method: 'get',
    path: '/admin/users',
    summary: 'Users, a page at a time (admins only)',
    auth: true,
    query: adminPageQuery,
    responses: { 200: z.object({ items: z.array(adminUserSchema), nextCursor: z.string().nullable() }).meta({ id: 'AdminUserPage' }), 403: notAdmin },
  },
  { method: 'get', path: '/admin/users/:username', summary: 'One user (admins only)', auth: true, params: adminParams, responses: { 200: adminUserSchema, 403: notAdmin, 404: noUser } },
  {
    method: 'patch',
    path: '/admin/users/:username',
    summary: 'Disable or enable a user, set or clear their maxConcurrent (admins only)',
    description: "Disabling refuses the user's tokens at every service within a second and refuses login until enabled again.",
    auth: true,
    params: adminParams,
    body: userChangeSchema,
    responses: { 200: adminUserSchema, 403: notAdmin, 404: noUser, 409: apiError('that would leave no enabled admin') },
  },
  {
    method: 'delete',
    path: '/admin/users/:username',
    summary: 'Delete a user with their functions, secrets, execution records and quota (admins only)',
    auth: true,
    params: adminParams,
    responses: { 204: { description: 'deleted' }, 403: notAdmin, 404: noUser, 409: apiError('that would leave no enabled admin') },
  },
];

/** The /auth routes (routes.ts), described with the schemas they parse their input with. */
export function authApiRoutes(deps: { readonly passwordMinLength: number }): ApiRoute[] {
  const input = authInput(deps.passwordMinLength);
  return [
    { method: 'post', path: '/register', summary: 'Register a user', body: input.registration, responses: { 201: publicUserSchema, 409: apiError('the username is taken (regardless of case)') } },
    { method: 'post', path: '/login', summary: 'Log in: a bearer token', body: input.credentials, responses: { 200: tokenSchema, 401: apiError('unknown user or wrong password'), 403: apiError('the user is disabled') } },
    { method: 'get', path: '/validate', summary: 'The user behind a token', auth: true, responses: { 200: publicUserSchema } },
    ...adminApiRoutes,
  ];
}
