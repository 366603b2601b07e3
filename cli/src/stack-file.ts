import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { CliError } from './api.js';
import { stackTriggersSchema, type StackTrigger } from './stack-triggers.js';

/** The templates `faas new` and `faas build` know (templates/<lang>). */
export const LANGS = ['node', 'python'] as const;
export type Lang = (typeof LANGS)[number];

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
  // exec: the image's command runs per invocation (the default); process: it starts once per warm container (Runtime API).
  runtime: z.enum(['exec', 'process']).optional(),
  // An HTTP function, reachable at /publisher/fn/<username>/<name>/ (public: without a token).
  http: z.boolean().optional(),
  public: z.boolean().optional(),
  // How `faas build` makes the image (templates/<lang>, the handler's folder); never sent to the platform.
  lang: z.enum(LANGS).optional(),
  handler: z.string().optional(),
  // Created or replaced by deploy after the functions (stack-triggers.ts); never part of the function.
  triggers: stackTriggersSchema.optional(),
});

const stackSchema = z.strictObject({
  version: z.union([z.literal(1), z.literal('1')]).optional(),
  functions: z.record(z.string(), functionSchema),
});

/** The image `faas build` makes when the file names none: the function's name as a Docker repository name (lower case). */
export const defaultImage = (name: string): string => `faas-fn/${name.toLowerCase()}:latest`;

/** A function as the file states it: only the fields the file names are managed by it. */
export interface StackFunction {
  readonly name: string;
  readonly spec: Readonly<Record<string, unknown>>;
  /** Present when the file says how to build the image (`lang`; `handler` defaults to ./NAME). */
  readonly build?: { readonly lang: Lang; readonly handler: string };
  readonly triggers?: readonly StackTrigger[];
}

export function parseStack(text: string, source: string): StackFunction[] {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new CliError(`${source}: not valid YAML: ${(err as Error).message}`);
  }
  const result = stackSchema.safeParse(withDefaultImages(raw ?? {}));
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.map(String).join('.') || '(top level)'}: ${i.message}`);
    throw new CliError(`${source}: ${problems.join('; ')}`);
  }
  return Object.entries(result.data.functions).map(([name, fn]) => {
    const { limits, lang, handler, triggers, ...rest } = fn;
    const spec = Object.fromEntries(Object.entries({ ...rest, ...limits }).filter(([, v]) => v !== undefined));
    const named = triggers ? { triggers: Object.entries(triggers).map(([t, body]) => ({ name: t, function: name, spec: body })) } : {};
    return lang ? { name, spec, build: { lang, handler: handler ?? `./${name}` }, ...named } : { name, spec, ...named };
  });
}

/** A function the file says how to build (`lang`) may leave out its image: faas-fn/NAME:latest. */
function withDefaultImages(raw: unknown): unknown {
  const functions = (raw as { functions?: unknown }).functions;
  if (!functions || typeof functions !== 'object' || Array.isArray(functions)) return raw;
  const filled = Object.entries(functions).map(([name, fn]: [string, unknown]) =>
    fn && typeof fn === 'object' && 'lang' in fn && !('image' in fn) ? [name, { ...fn, image: defaultImage(name) }] : [name, fn],
  );
  return { ...(raw as object), functions: Object.fromEntries(filled) };
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
