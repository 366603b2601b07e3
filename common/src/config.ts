import { readFileSync } from 'node:fs';
import { z } from 'zod';

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Parses env with a schema, reporting every problem at once; the result is frozen. */
export function parseConfig<S extends z.ZodType>(schema: S, env: Env): Readonly<z.output<S>> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`),
    );
  }
  return Object.freeze(result.data);
}

/** Reads a secret from a file (Docker secrets); trailing newline ignored, never defaulted. */
export function readSecretFile(path: string): string {
  const value = readFileSync(path, 'utf8').trim();
  if (value.length === 0) throw new ConfigError([`secret file ${path} is empty`]);
  return value;
}

const intFrom = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Schema pieces shared by every service, so names and defaults agree across the platform. */
export const envFields = {
  port: (fallback: number) => intFrom(0, 65535).default(fallback),
  natsUrls: z
    .string()
    .default('nats://127.0.0.1:4222')
    .transform((s) => s.split(',').map((u) => u.trim()).filter(Boolean))
    .pipe(z.array(z.string().min(1)).min(1, 'at least one NATS server URL')),
  natsReplicas: intFrom(1, 5).default(3),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  secretFile: z.string().min(1, 'required: path to a secret file'),
  int: intFrom,
  bool,
};

/** A zod transform step: the secret in the file at `path`, or an issue saying why not. */
export function secretFromFile(path: string, ctx: z.RefinementCtx): string {
  try {
    return readSecretFile(path);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `cannot read secret file ${path}: ${err instanceof Error ? err.message : String(err)}` });
    return z.NEVER;
  }
}

/**
 * The operator's ceilings on every function's limits, defined once: the registry refuses a
 * function above them, the spawner clamps a request to them. Both must read the same variables
 * with the same bounds, or a value one accepts the other refuses at start.
 */
export const limitCeilingsEnvShape = {
  MAX_TIMEOUT_SECONDS: intFrom(1, 3_600).default(600),
  MAX_MEMORY_MB: intFrom(6, 65_536).default(1_024),
  MAX_CPUS: z.coerce.number().finite().min(0.01).max(64).default(2),
};

/**
 * Env every service reads: where NATS is, who to connect as (a user of the platform's NATS
 * authorization, common/src/nats-permissions.ts; its password only from a file), how many
 * replicas, how loud to log.
 */
export const baseEnvShape = {
  NATS_URL: envFields.natsUrls,
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD_FILE: z
    .string()
    .min(1)
    .optional()
    .transform((path, ctx) => (path === undefined ? undefined : secretFromFile(path, ctx))),
  NATS_REPLICAS: envFields.natsReplicas,
  LOG_LEVEL: envFields.logLevel,
};

/** An unset variable, or one set to "" (a compose file's `${VAR:-}`), means: not set. */
const optionalHttpUrl = z
  .union([z.literal('').transform(() => undefined), z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })])
  .optional();

/**
 * OpenTelemetry's own variable names. OTEL_EXPORTER_OTLP_ENDPOINT is the collector's base URL
 * (traces go to <it>/v1/traces); OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, the full URL, wins over it.
 */
export const tracingEnvShape = {
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalHttpUrl,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalHttpUrl,
  OTEL_SERVICE_NAME: z.string().min(1).max(128).optional(),
};

export function tracingSettingsFrom(
  env: { OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined; OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string | undefined; OTEL_SERVICE_NAME?: string | undefined },
  serviceName: string,
): { serviceName: string; tracesUrl?: string } {
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const tracesUrl = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined);
  return { serviceName: env.OTEL_SERVICE_NAME ?? serviceName, ...(tracesUrl ? { tracesUrl } : {}) };
}
