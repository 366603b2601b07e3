/** Names shared across services: a rename here is a rename everywhere. */
export const BUCKETS = Object.freeze({
  users: 'users',
  functions: 'functions',
  executions: 'executions',
  /** `<userId>.<executionId>`: a user's executions, for listing and callbacks. */
  executionIndex: 'execution-index',
  /** `<userId>`: the user's quota holds. */
  quotas: 'quotas',
  /** `<userId>.<NAME>`: a user's secrets, sealed (AES-256-GCM); never a value in clear. */
  secrets: 'secrets',
  /** `<userId>`: the key callbacks to the user are signed with, sealed like a secret. */
  callbackKeys: 'callback-keys',
  /** `<userId>`: what every service must know about an account without asking auth (see account-controls.ts). */
  accounts: 'accounts',
  /** Object Store: users' uploads under `<userId>/<name>`. */
  objects: 'objects',
  /** Object Store: execution outputs under `<userId>/<executionId>/<path>`, expiring with the records. */
  outputs: 'execution-outputs',
  /** `<userId>.<base64url of the name>`: which uploads a user has, so a listing reads only theirs (object-index.ts); owned by the registry. */
  objectIndex: 'object-index',
  /** As objectIndex, for the outputs (`<executionId>/<path>`), expiring with them; owned by the registry. */
  outputIndex: 'output-index',
  /** `<userId>`: the bytes and objects a user's uploads and outputs take (object-usage.ts); owned by the registry. */
  objectUsage: 'object-usage',
  /** `<executionId>`: the lease of the spawner running it (owner: spawner; docs/reliability.md). */
  executionLeases: 'execution-leases',
  /** `<userId>.<name>`: a user's trigger definitions (docs/triggers.md); owned by the registry. */
  triggers: 'triggers',
  /** `<sha256 of a webhook token>`: which trigger the token opens; owned by the registry. */
  triggerTokens: 'trigger-tokens',
  /** `<triggerId>`: the last tick a schedule fired or skipped; owned by the publisher. */
  triggerState: 'trigger-state',
});

export const STREAMS = Object.freeze({
  executions: 'EXECUTIONS',
});

export const CONSUMERS = Object.freeze({
  spawner: 'spawner',
  /** The publishers' durable consumer of final records on KV_executions (chains, triggers). */
  publisherChains: 'publisher-chains',
  /** The publishers' durable consumer of object changes (the meta subjects of both object stores): object triggers. */
  publisherObjects: 'publisher-objects',
});

export const SUBJECTS = Object.freeze({
  execAll: 'faas.exec.>',
  exec: (userId: string) => `faas.exec.${userId}`,
  result: (executionId: string) => `faas.result.${executionId}`,
});

/** The Object Store's chunk size: the least any object costs (its metadata and one message). */
export const OBJECT_CHUNK_BYTES = 128 * 1024;
