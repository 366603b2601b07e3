import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';

export const DEFAULT_GATEWAY = 'http://localhost:9080';

/** What `faas login` keeps between runs. The token is a bearer credential: the file is 0600. */
const savedSchema = z.object({
  gateway: z.string().optional(),
  username: z.string().optional(),
  token: z.string().optional(),
});
export type SavedConfig = z.infer<typeof savedSchema>;

/** The only reader of process.env in the CLI. */
export interface CliEnv {
  readonly gateway: string | undefined;
  readonly configFile: string;
}

export function readEnv(env: NodeJS.ProcessEnv = process.env): CliEnv {
  const configHome = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return { gateway: env.FAAS_GATEWAY || undefined, configFile: join(configHome, 'faas', 'config.json') };
}

export function loadSaved(file: string): SavedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  const parsed = savedSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${file} is not a faas config file: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/**
 * Written to a temp file created 0600 and renamed over the old one, so the token is never
 * readable by others, not even for a moment, and a crash never leaves half a file.
 */
export function saveConfig(file: string, config: SavedConfig): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, file);
}

/** `--gateway`, then `FAAS_GATEWAY`, then the saved config, then the standalone default. */
export function resolveGateway(flag: string | undefined, env: CliEnv, saved: SavedConfig): string {
  const url = flag ?? env.gateway ?? saved.gateway ?? DEFAULT_GATEWAY;
  return url.replace(/\/+$/, '');
}
