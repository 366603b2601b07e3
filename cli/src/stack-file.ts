import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { CliError } from './api.js';

/** YAML reads `PORT: 8080` as a number; env values are strings to the platform. */
const envValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const limitsSchema = z.strictObject({
  timeoutSeconds: z.number().optional(),
  memoryMb: z.number().optional(),
  cpus: z.number().optional(),
  network: z.enum(['none', 'bridge']).optional(),
});

/** Field names are the API's; values are checked by the registry (its ceilings are the operator's). */
const functionSchema = z.strictObject({
  image: z.string({ error: 'image is required (a Docker image reference)' }),
  description: z.string().optional(),
  env: z.record(z.string(), envValue).optional(),
  limits: limitsSchema.optional(),
  secrets: z.union([z.array(z.string()), z.record(z.string(), z.string())]).optional(),
  warm: z.boolean().optional(),
});

const stackSchema = z.strictObject({
  version: z.union([z.literal(1), z.literal('1')]).optional(),
  functions: z.record(z.string(), functionSchema),
});

/** A function as the file states it: only the fields the file names are managed by it. */
export interface StackFunction {
  readonly name: string;
  readonly spec: Readonly<Record<string, unknown>>;
}

export function parseStack(text: string, source: string): StackFunction[] {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new CliError(`${source}: not valid YAML: ${(err as Error).message}`);
  }
  const result = stackSchema.safeParse(raw ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.map(String).join('.') || '(top level)'}: ${i.message}`);
    throw new CliError(`${source}: ${problems.join('; ')}`);
  }
  return Object.entries(result.data.functions).map(([name, fn]) => {
    const { limits, ...rest } = fn;
    const spec = Object.fromEntries(Object.entries({ ...rest, ...limits }).filter(([, v]) => v !== undefined));
    return { name, spec };
  });
}

export function loadStack(file: string): StackFunction[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return parseStack(text, file);
}
