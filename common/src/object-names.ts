import { z } from 'zod';
import { ValidationError } from './errors.js';

export const OBJECT_NAME_MAX_BYTES = 255;
const SEGMENT = /^[A-Za-z0-9._-]+$/;

/** Why a path-like object name is refused, or undefined when it is fine. */
export function objectNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name === '') return 'an object name must be a non-empty string';
  if (Buffer.byteLength(name, 'utf8') > OBJECT_NAME_MAX_BYTES) return `an object name has at most ${OBJECT_NAME_MAX_BYTES} bytes`;
  for (const segment of name.split('/')) {
    if (segment === '') return 'an object name has no empty segment (no leading, trailing or double /)';
    if (segment === '.' || segment === '..') return 'an object name has no . or .. segment';
    if (!SEGMENT.test(segment)) return 'an object name is made of /-separated segments of letters, digits, . _ or -';
  }
  return undefined;
}

/** The name, checked: a ValidationError (400) says what is wrong with it. */
export function objectNameFrom(name: unknown): string {
  const problem = objectNameProblem(name);
  if (problem !== undefined) throw new ValidationError(`${problem}: ${JSON.stringify(String(name)).slice(0, 300)}`);
  return name as string;
}

/** Outputs of an execution appear in their owner's namespace under this prefix. */
export const OUTPUTS_PREFIX = 'executions/';

/** Keys are per user: nobody can name another user's object. */
export const objectKey = (userId: string, name: string): string => `${userId}/${name}`;

/** How many inputs one execution may name. */
export const MAX_INPUTS = 64;

/** `"inputs": ["data/in.csv"]` of an execution request: distinct object names. */
export const inputsSchema = z
  .array(
    z.string({ error: 'an input must be an object name' }).refine((name) => objectNameProblem(name) === undefined, {
      error: (issue) => objectNameProblem(issue.input) ?? 'not an object name',
    }),
    { error: 'inputs must be an array of object names' },
  )
  .max(MAX_INPUTS, `at most ${MAX_INPUTS} inputs`)
  .refine((names) => new Set(names).size === names.length, 'inputs must be distinct');
