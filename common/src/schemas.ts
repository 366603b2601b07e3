import { z } from 'zod';
import { ValidationError } from './errors.js';

/** Patterns from DESIGN.md; both are safe as NATS subject tokens and KV keys (no `.`, `*`, `>`). */
export const USERNAME_PATTERN = /^[A-Za-z0-9_-]{3,32}$/;
export const FUNCTION_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

export const usernameSchema = z
  .string({ error: 'username must be a string' })
  .regex(USERNAME_PATTERN, 'username must be 3-32 characters of letters, digits, _ or -');
export const functionNameSchema = z
  .string({ error: 'name must be a string' })
  .regex(FUNCTION_NAME_PATTERN, 'name must start with a letter or digit and have at most 63 of letters, digits, _ or -');

/** Parses input with a schema; every problem is listed in one 400. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  const summary = problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ');
  throw new ValidationError(summary, { details: problems });
}

export interface FunctionLimits {
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly cpus: number;
  readonly network: 'none' | 'bridge';
}

/** A function definition as stored in KV `functions` under `<userId>.<name>`. */
export interface FunctionDefinition extends FunctionLimits {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly image: string;
  readonly description: string;
  readonly env: Readonly<Record<string, string>>;
  /** Names of the owner's secrets the function receives as environment variables at run time. */
  readonly secrets?: readonly string[];
  /** false: a fresh container for every run; absent: the operator's default (spawner WARM_DEFAULT). */
  readonly warm?: boolean;
  /** "process": the image's process starts once per warm container and serves invocations over the Lambda Runtime API; absent: "exec". */
  readonly runtime?: FunctionRuntime;
  /** Reachable at /publisher/fn/<owner>/<name>/ (docs/http-functions.md); absent: not an HTTP function. */
  readonly http?: boolean;
  /** An HTTP function anyone may call without a token (rate-limited per client address). */
  readonly public?: boolean;
  /** The owner's username, written by the registry on HTTP functions: the route names it. */
  readonly owner?: string;
  readonly revision: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** How a function's image runs: "exec", once per execution (the default); "process", once per warm container. */
export const FUNCTION_RUNTIMES = ['exec', 'process'] as const;
export type FunctionRuntime = (typeof FUNCTION_RUNTIMES)[number];
