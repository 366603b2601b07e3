import { FUNCTION_NAME_PATTERN, UnauthenticatedError, ValidationError, functionNameSchema, parseInput, principalOf } from '@faas/common';
import type { Response } from 'express';
import { z } from 'zod';
import type { FunctionPage } from '../functions/functions.js';

/** A user id becomes part of a KV key: it must be one token, whoever signed it. */
const USER_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** The verified caller's id, safe as a KV key prefix. */
export function ownerOf(res: Response): string {
  const { id } = principalOf(res);
  if (!USER_ID_PATTERN.test(id)) throw new UnauthenticatedError('token subject is not a valid user id');
  return id;
}

const nameInput = z.object({ name: functionNameSchema });

/** A function name from a path, query string or body, checked like one in a definition. */
export function nameFrom(value: unknown): string {
  return parseInput(nameInput, { name: value }).name;
}

/** The name from `?name=` or, when absent, a JSON body's `name` (the original client sends a body on GET and DELETE). */
export function nameFromQueryOrBody(query: Record<string, unknown>, body: unknown): string {
  const fromBody = typeof body === 'object' && body !== null && 'name' in body ? body.name : undefined;
  return nameFrom(query.name ?? fromBody);
}

/** Express leaves the body undefined when there was none (or it was not JSON). */
export const bodyOf = (value: unknown): unknown => value ?? {};

/** `?limit=&cursor=` of the list routes. */
export const pageQuery = z.object({
  limit: z.coerce
    .number({ error: 'limit must be a number' })
    .int('limit must be a whole number')
    .min(1, 'limit must be at least 1')
    .max(MAX_PAGE_SIZE, `limit must be at most ${MAX_PAGE_SIZE}`)
    .default(DEFAULT_PAGE_SIZE),
  cursor: z.string({ error: 'cursor must be a string' }).max(256).optional(),
});

/** Cursors are opaque to clients: the last name of the previous page, base64url-encoded. */
export function pageFrom(query: unknown): { limit: number; after?: string } {
  const { limit, cursor } = parseInput(pageQuery, query);
  if (cursor === undefined || cursor === '') return { limit };
  const after = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!FUNCTION_NAME_PATTERN.test(after)) throw new ValidationError('cursor: not a cursor this registry issued');
  return { limit, after };
}

export function pageBody<T>(page: FunctionPage, view: (item: FunctionPage['items'][number]) => T): { items: T[]; nextCursor: string | null } {
  return {
    items: page.items.map(view),
    nextCursor: page.last === null ? null : Buffer.from(page.last, 'utf8').toString('base64url'),
  };
}
