import { STREAMS, SUBJECTS, isWrongLastSequence, openBucket, type ExecutionStore, type Logger } from '@faas/common';
import type { JetStreamManager, KV, MsgRequest, NatsConnection } from 'nats';
import type { ResultPublisher } from '../domain/ports.js';
import { sweepStuck } from '../domain/sweep-stuck.js';

/** One entry, `lease`: which spawner sweeps, until when, and where its last sweep stopped. */
export const SWEEPER_BUCKET = 'spawner-sweeper';
const LEASE_KEY = 'lease';
/** More requests than this on the stream: "is it still queued" is not answered this time. */
const MAX_QUEUED_SCAN = 10_000;

interface Lease {
  readonly holder: string;
  readonly until: number;
  readonly cursor?: string;
}

export interface SweeperOptions {
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
  readonly records: KV;
  readonly store: ExecutionStore;
  readonly results: ResultPublisher;
  readonly spawnerId: string;
  readonly replicas: number;
  readonly intervalMs: number;
  readonly staleAfterMs: number;
  readonly logger: Logger;
}

export interface Sweeper {
  /** One sweep if this spawner holds (or takes) the lease; undefined when another one holds it. */
  sweepOnce(): Promise<number | undefined>;
  /** Stops sweeping and gives the lease up, so another spawner takes over at its next interval. */
  stop(): Promise<void>;
}

/** Ids of the requests still on EXECUTIONS (Nats-Msg-Id is the execution id). */
async function queuedIds(jsm: JetStreamManager): Promise<ReadonlySet<string> | undefined> {
  const { state } = await jsm.streams.info(STREAMS.executions);
  if (state.messages > MAX_QUEUED_SCAN) return undefined;
  const ids = new Set<string>();
  for (let seq = state.first_seq; seq <= state.last_seq && ids.size < state.messages; seq++) {
    // The next message at or after `seq`: deleted (acked) sequences are skipped in one request.
    const query = { seq, next_by_subj: SUBJECTS.execAll } as unknown as MsgRequest;
    const msg = await jsm.streams.getMessage(STREAMS.executions, query).catch(() => undefined);
    if (!msg) break;
    const id = msg.header?.get('Nats-Msg-Id');
    if (id) ids.add(id);
    seq = msg.seq;
  }
  return ids;
}

async function allKeys(kv: KV): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of await kv.keys()) keys.push(key);
  return keys.sort();
}

async function takeLease(kv: KV, me: string, untilMs: number): Promise<{ revision: number; cursor?: string } | undefined> {
  const entry = await kv.get(LEASE_KEY);
  try {
    if (!entry || entry.operation !== 'PUT') return { revision: await kv.create(LEASE_KEY, JSON.stringify({ holder: me, until: untilMs })) };
    const held = entry.json<Lease>();
    if (held.holder !== me && held.until > Date.now()) return undefined;
    const revision = await kv.update(LEASE_KEY, JSON.stringify({ ...held, holder: me, until: untilMs }), entry.revision);
    return { revision, ...(held.cursor ? { cursor: held.cursor } : {}) };
  } catch (err) {
    if (isWrongLastSequence(err) || /exists/i.test(String(err))) return undefined;
    throw err;
  }
}

/**
 * Every spawner runs one; the lease (a revision-checked KV entry that lapses after two
 * intervals) lets one sweep at a time cluster-wide, and a stopped holder is replaced.
 */
export async function startSweeper(options: SweeperOptions): Promise<Sweeper> {
  const { logger } = options;
  const leases = await openBucket(options.nc, SWEEPER_BUCKET, { replicas: options.replicas });
  const ports = {
    store: options.store,
    results: options.results,
    recordIds: () => allKeys(options.records),
    queuedIds: () => queuedIds(options.jsm),
    logger,
  };
  async function sweepOnce(): Promise<number | undefined> {
    const lease = await takeLease(leases, options.spawnerId, Date.now() + 2 * options.intervalMs);
    if (!lease) return undefined;
    const { cursor, ended } = await sweepStuck(ports, { ...(lease.cursor ? { after: lease.cursor } : {}), staleAfterMs: options.staleAfterMs });
    const next: Lease = { holder: options.spawnerId, until: Date.now() + 2 * options.intervalMs, ...(cursor ? { cursor } : {}) };
    await leases.update(LEASE_KEY, JSON.stringify(next), lease.revision).catch(() => undefined);
    if (ended > 0) logger.warn({ ended }, 'sweeper ended stuck executions');
    return ended;
  }
  const timer = setInterval(() => {
    sweepOnce().catch((err: unknown) => logger.warn({ err }, 'sweep failed; trying again next interval'));
  }, options.intervalMs);
  timer.unref();
  return {
    sweepOnce,
    async stop() {
      clearInterval(timer);
      const entry = await leases.get(LEASE_KEY).catch(() => null);
      if (entry?.operation === 'PUT' && entry.json<Lease>().holder === options.spawnerId) {
        const { cursor } = entry.json<Lease>();
        await leases.update(LEASE_KEY, JSON.stringify({ holder: '', until: 0, ...(cursor ? { cursor } : {}) }), entry.revision).catch(() => undefined);
      }
    },
  };
}
