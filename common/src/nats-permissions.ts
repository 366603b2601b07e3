import { BUCKETS, CONSUMERS, STREAMS } from './constants.js';
import { durableConsumer, kvGrant, objectStoreGrant, streamRead } from './nats-grants.js';

/** Every NATS client of the platform connects as one of these users (docs/internal-trust.md). */
export const NATS_SERVICES = ['auth', 'registry', 'publisher', 'spawner', 'autoscaler'] as const;
export type NatsService = (typeof NATS_SERVICES)[number];

export interface NatsPermissions {
  readonly publish: readonly string[];
  readonly subscribe: readonly string[];
}

/**
 * Each user's replies come to its own inbox prefix (the client's `inboxPrefix`), and only it may
 * subscribe there: with the shared `_INBOX.>` any user could read the answers to another's KV reads.
 */
export const natsInboxPrefix = (user: string): string => `_INBOX_${user}`;

/** Buckets and streams named outside constants.ts (each next to its only user). */
const LOGIN_FAILURES = 'login_failures';
const USER_REQUESTS = 'user-requests';
const SWEEPER = 'spawner-sweeper';
const CALLBACKS = 'CALLBACKS';
const CALLBACK_CONSUMER = 'publisher-callbacks';
const CHAIN_CONSUMER = CONSUMERS.publisherChains;
const OBJECTS_CONSUMER = CONSUMERS.publisherObjects;

/** Every user: JetStream's account info (the client checks it before any other API call). */
const EVERYONE = ['$JS.API.INFO'];

/** The per-user request counter (request-counter.ts): one publish per request, the stream refuses past the limit. */
const USER_REQUEST_COUNTER = [
  ...['INFO', 'CREATE', 'UPDATE'].map((op) => `$JS.API.STREAM.${op}.USER_REQUESTS`),
  'faas.user-requests.>',
];

/** The HTTP services each check tokens against `accounts` and count requests (the counter; webhooks in `user-requests`). */
const TOKEN_CHECKS = [...kvGrant(BUCKETS.accounts, 'read'), ...kvGrant(USER_REQUESTS, 'write'), ...USER_REQUEST_COUNTER];

const executions = STREAMS.executions;
const spawnerConsumer = `${executions}.${CONSUMERS.spawner}`;

/**
 * The one table of who may do what (nats-server `permissions`, allow lists only: anything not
 * listed is denied). Written to the NATS configuration by `natsAuthorizationConfig` for the
 * stack, standalone mode and the test harness alike.
 */
export const NATS_PERMISSIONS: Readonly<Record<NatsService, NatsPermissions>> = distinctSubjects({
  auth: {
    publish: [
      ...EVERYONE,
      ...kvGrant(BUCKETS.users, 'own'),
      ...kvGrant(LOGIN_FAILURES, 'own'),
      ...kvGrant(BUCKETS.accounts, 'own'),
      ...kvGrant(USER_REQUESTS, 'own'),
      ...USER_REQUEST_COUNTER,
      // Erasing a user purges what other services stored for them.
      ...[
        BUCKETS.functions, BUCKETS.secrets, BUCKETS.executionIndex, BUCKETS.executions, BUCKETS.quotas,
        BUCKETS.triggers, BUCKETS.triggerTokens, BUCKETS.triggerState, BUCKETS.callbackKeys, BUCKETS.objectUsage,
        BUCKETS.objectIndex, BUCKETS.outputIndex,
      ].flatMap((b) => kvGrant(b, 'write')),
      ...objectStoreGrant(BUCKETS.objects, 'write'),
      ...objectStoreGrant(BUCKETS.outputs, 'write'),
    ],
    subscribe: [`${natsInboxPrefix('auth')}.>`],
  },
  registry: {
    publish: [
      ...EVERYONE,
      ...TOKEN_CHECKS,
      ...kvGrant(BUCKETS.functions, 'own'),
      ...kvGrant(BUCKETS.secrets, 'own'),
      ...kvGrant(BUCKETS.triggers, 'own'),
      ...kvGrant(BUCKETS.triggerTokens, 'own'),
      ...objectStoreGrant(BUCKETS.objects, 'own'),
      ...objectStoreGrant(BUCKETS.outputs, 'own'),
      ...kvGrant(BUCKETS.objectUsage, 'own'),
      ...kvGrant(BUCKETS.objectIndex, 'own'),
      ...kvGrant(BUCKETS.outputIndex, 'own'),
    ],
    subscribe: [`${natsInboxPrefix('registry')}.>`],
  },
  publisher: {
    publish: [
      ...EVERYONE,
      ...TOKEN_CHECKS,
      ...kvGrant(BUCKETS.executions, 'own'),
      ...kvGrant(BUCKETS.executionIndex, 'own'),
      ...kvGrant(BUCKETS.quotas, 'own'),
      ...kvGrant(BUCKETS.functions, 'read'),
      ...kvGrant(BUCKETS.callbackKeys, 'own'),
      // Schedules: which tick fired (its own); webhooks: which token opens which trigger (the registry's).
      ...kvGrant(BUCKETS.triggerState, 'own'),
      ...kvGrant(BUCKETS.triggers, 'read'),
      ...kvGrant(BUCKETS.triggerTokens, 'read'),
      ...objectStoreGrant(BUCKETS.objects, 'read'),
      ...objectStoreGrant(BUCKETS.outputs, 'read'),
      // Queues executions; owns the stream's settings; never creates, reads or acks its consumer.
      'faas.exec.>',
      `$JS.API.STREAM.INFO.${executions}`,
      `$JS.API.STREAM.CREATE.${executions}`,
      `$JS.API.STREAM.UPDATE.${executions}`,
      // Chains follow the stored final records through its durable consumer on the executions bucket.
      ...durableConsumer(`KV_${BUCKETS.executions}`, CHAIN_CONSUMER),
      // Object triggers follow both object stores' meta subjects, read only, through its durable consumers.
      ...durableConsumer(`OBJ_${BUCKETS.objects}`, OBJECTS_CONSUMER),
      ...durableConsumer(`OBJ_${BUCKETS.outputs}`, OBJECTS_CONSUMER),
      // Its own durable callback queue.
      'faas.callback.>',
      ...streamRead(CALLBACKS),
      `$JS.API.STREAM.CREATE.${CALLBACKS}`,
      `$JS.API.STREAM.UPDATE.${CALLBACKS}`,
      ...durableConsumer(CALLBACKS, CALLBACK_CONSUMER),
    ],
    subscribe: [`${natsInboxPrefix('publisher')}.>`, 'faas.result.*'],
  },
  spawner: {
    publish: [
      ...EVERYONE,
      ...kvGrant(BUCKETS.executions, 'write'),
      ...kvGrant(BUCKETS.functions, 'read'),
      ...kvGrant(BUCKETS.secrets, 'read'),
      ...kvGrant(SWEEPER, 'own'),
      ...kvGrant(BUCKETS.executionLeases, 'own'),
      ...objectStoreGrant(BUCKETS.objects, 'read'),
      ...kvGrant(BUCKETS.objectIndex, 'read'),
      ...objectStoreGrant(BUCKETS.outputs, 'write'),
      ...kvGrant(BUCKETS.outputIndex, 'write'),
      // Outputs are charged to their owner's storage; a disabled or deleted owner's work is refused.
      ...kvGrant(BUCKETS.objectUsage, 'write'),
      ...kvGrant(BUCKETS.accounts, 'read'),
      'faas.result.*',
      // Consumes executions through the shared durable; the sweeper reads and drops stuck messages.
      `$JS.API.STREAM.INFO.${executions}`,
      `$JS.API.STREAM.CREATE.${executions}`,
      `$JS.API.STREAM.MSG.GET.${executions}`,
      `$JS.API.STREAM.MSG.DELETE.${executions}`,
      `$JS.API.CONSUMER.INFO.${spawnerConsumer}`,
      `$JS.API.CONSUMER.CREATE.${spawnerConsumer}`,
      `$JS.API.CONSUMER.CREATE.${spawnerConsumer}.>`,
      `$JS.API.CONSUMER.DURABLE.CREATE.${spawnerConsumer}`,
      `$JS.API.CONSUMER.MSG.NEXT.${spawnerConsumer}`,
      `$JS.ACK.${spawnerConsumer}.>`,
    ],
    subscribe: [`${natsInboxPrefix('spawner')}.>`, `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${spawnerConsumer}`],
  },
  // Reads the spawners' backlog (consumer info: counts only), nothing else.
  autoscaler: {
    publish: [...EVERYONE, `$JS.API.CONSUMER.INFO.${spawnerConsumer}`],
    subscribe: [`${natsInboxPrefix('autoscaler')}.>`],
  },
});

function distinctSubjects(table: Record<NatsService, NatsPermissions>): Readonly<Record<NatsService, NatsPermissions>> {
  const entries = Object.entries(table).map(([service, p]) => [service, Object.freeze({ publish: [...new Set(p.publish)], subscribe: [...new Set(p.subscribe)] })]);
  return Object.freeze(Object.fromEntries(entries) as Record<NatsService, NatsPermissions>);
}
