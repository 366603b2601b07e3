import type { FunctionDefinition } from '@faas/common';
import type { IncomingExecution } from './execution-request.js';

/** The `functions` bucket as the spawner reads it: the definition a user's function has now. */
export interface FunctionSource {
  get(userId: string, name: string): Promise<FunctionDefinition | undefined>;
}

export type Resolution =
  | { readonly kind: 'run'; readonly request: IncomingExecution }
  | { readonly kind: 'gone'; readonly request: IncomingExecution; readonly reason: string };

/**
 * The message names a user's function; the stored definition says what runs. Image, env, limits,
 * secrets, warm setting, runtime and revision come from the `functions` bucket, never from the message, so
 * a forged or stale message cannot choose the image (docs/internal-trust.md). The argument and
 * the caller's inputs stay per execution. A definition updated after the execution was queued
 * runs as it is now; a deleted one does not run.
 */
export async function authoritativeRequest(source: FunctionSource, message: IncomingExecution): Promise<Resolution> {
  const definition = await source.get(message.userId, message.function);
  if (!definition) {
    return { kind: 'gone', request: message, reason: `function ${message.function} no longer exists` };
  }
  const { warm: _fromMessage, runtime: _runtimeFromMessage, ...perExecution } = message;
  const request: IncomingExecution = {
    ...perExecution,
    image: definition.image,
    env: { ...(definition.env ?? {}) },
    limits: {
      timeoutSeconds: definition.timeoutSeconds,
      memoryMb: definition.memoryMb,
      cpus: definition.cpus,
      network: definition.network,
    },
    secrets: [...(definition.secrets ?? [])],
    revision: definition.revision,
    ...(definition.warm === undefined ? {} : { warm: definition.warm }),
    ...(definition.runtime === undefined ? {} : { runtime: definition.runtime }),
  };
  return { kind: 'run', request };
}
