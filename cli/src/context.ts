import type { Command } from 'commander';
import { ApiClient, CliError } from './api.js';
import { loadSaved, readEnv, resolveGateway, type CliEnv, type SavedConfig } from './config.js';

/** What every command needs: output mode, where the gateway is, the saved login. */
export interface Context {
  readonly json: boolean;
  readonly env: CliEnv;
  readonly saved: SavedConfig;
  readonly gateway: string;
  /** A client without a token (register, login). */
  anonymous(): ApiClient;
  /** A client with the saved token; fails before any request when there is none. */
  authenticated(): ApiClient;
}

export function contextOf(command: Command): Context {
  const options = command.optsWithGlobals<{ json?: boolean; gateway?: string; insecure?: boolean }>();
  const transport = { insecure: options.insecure === true };
  const env = readEnv();
  const saved = loadSaved(env.configFile);
  const gateway = resolveGateway(options.gateway, env, saved);
  return {
    json: options.json === true,
    env,
    saved,
    gateway,
    anonymous: () => new ApiClient(gateway, undefined, transport),
    authenticated: () => {
      if (!saved.token) throw new CliError('not logged in: run `faas login` first');
      if (saved.gateway && saved.gateway !== gateway) {
        throw new CliError(`logged in to ${saved.gateway}, not ${gateway}: run \`faas login --gateway ${gateway}\``);
      }
      return new ApiClient(gateway, saved.token, transport);
    },
  };
}
