import { AckPolicy, DeliverPolicy, createInbox, nanos, type ConsumerInfo, type JetStreamManager, type NatsConnection, type Subscription } from 'nats';
import { UnavailableError } from './errors.js';
import { connectionOptions } from './nats.js';

/** Listings before one gives up (a replica behind is met on about one placement in three while it catches up). */
const TRIES = 30;
/** The whole listing; past it, a passing fault (the caller's retryPassing). */
const LISTING_MS = 10_000;
/** Between a listing found behind and the next (the replica catches up meanwhile, or the next lands elsewhere). */
const BEHIND_PAUSE_MS = 20;
const KV_OPERATION = 'KV-Operation';
/** JetStream's "no message found" (a filter nothing was ever written under). */
const NO_MESSAGE = 10037;

/** Lists a bucket's live keys under a filter (`<userId>.>`, say). */
export type KeyLister = (filter: string) => Promise<string[]>;

/** A KeyLister of `bucket` through leaderKeys. */
export const leaderKeyLister = (nc: NatsConnection, bucket: string): KeyLister => (filter) => leaderKeys(nc, bucket, filter);

export interface LeaderKeysOptions {
  /** Told of each listing: the server it ran on, the last sequence it saw, and the leader's. */
  readonly onListed?: (listing: { readonly server: string | undefined; readonly lastSeq: number; readonly leaderSeq: number }) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The live keys of a KV bucket under `filter` (`>`: all), with every write acknowledged before
 * the call: for listings a decision rests on (a cap, an erasure). `kv.keys()` lists through an
 * ephemeral consumer that nats-server places on a random replica of the stream (R1,
 * `createGroupForConsumer`), and a replica catching up after a restart lists what it had. Here the
 * leader first says the last sequence written under the filter (one get, `last_by_subj`); a
 * listing that did not reach it came from a replica behind, and is made again. A replica applies
 * the log in order, so one that has that sequence has every write before it.
 */
export async function leaderKeys(nc: NatsConnection, bucket: string, filter = '>', options: LeaderKeysOptions = {}): Promise<string[]> {
  const stream = `KV_${bucket}`;
  const subject = `$KV.${bucket}.${filter}`;
  const jsm = await nc.jetstreamManager({ timeout: LISTING_MS, checkAPI: false });
  const leaderSeq = await lastSeqOnLeader(jsm, stream, subject);
  if (leaderSeq === 0) return [];
  const deadline = Date.now() + LISTING_MS;
  for (let tries = 0; tries < TRIES && Date.now() < deadline; tries++) {
    const listing = await listOnce(nc, jsm, stream, subject, deadline);
    options.onListed?.({ server: listing.server, lastSeq: listing.lastSeq, leaderSeq });
    if (listing.lastSeq >= leaderSeq) return listing.keys.map((s) => s.slice(`$KV.${bucket}.`.length));
    await sleep(BEHIND_PAUSE_MS);
  }
  throw new UnavailableError(`keys of ${bucket}: every listing came from a replica behind the leader; try again`);
}

/** The stream sequence of the last message under `subject`, from the leader (STREAM.MSG.GET); 0 if none. */
async function lastSeqOnLeader(jsm: JetStreamManager, stream: string, subject: string): Promise<number> {
  try {
    return (await jsm.streams.getMessage(stream, { last_by_subj: subject })).seq;
  } catch (err) {
    if ((err as { api_error?: { err_code?: number } }).api_error?.err_code === NO_MESSAGE) return 0;
    throw err;
  }
}

interface Listing {
  readonly keys: string[];
  /** The highest stream sequence among the listed subjects (deletes and purges included). */
  readonly lastSeq: number;
  readonly server: string | undefined;
}

/** One ephemeral consumer (last message of each subject, headers only) and what it delivers. */
async function listOnce(nc: NatsConnection, jsm: JetStreamManager, stream: string, subject: string, deadline: number): Promise<Listing> {
  // The connection's own inbox prefix: only it may subscribe there (nats-permissions.ts).
  const prefix = connectionOptions(nc).inboxPrefix;
  const sub = nc.subscribe(createInbox(prefix));
  let info: ConsumerInfo | undefined;
  try {
    info = await jsm.consumers.add(stream, {
      deliver_subject: sub.getSubject(),
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.LastPerSubject,
      filter_subject: subject,
      headers_only: true,
      mem_storage: true,
      num_replicas: 1,
      inactive_threshold: nanos(5_000),
    });
    return { ...(await collect(sub, info.num_pending, deadline)), server: info.cluster?.leader };
  } finally {
    sub.unsubscribe();
    // Not waited for: it lapses 5 s after its subscription ends anyway.
    if (info) void jsm.consumers.delete(stream, info.name).catch(() => undefined);
  }
}

/** `$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>...`, or with domain and account hash first (12 tokens). */
function streamSeqOf(reply: string | undefined): number {
  const tokens = (reply ?? '').split('.');
  return Number(tokens.length >= 12 ? tokens[7] : tokens[5]) || 0;
}

/** The first `count` messages: the subjects of puts (not deletes or purges), and the highest sequence. */
async function collect(sub: Subscription, count: number, deadline: number): Promise<Omit<Listing, 'server'>> {
  const keys: string[] = [];
  let lastSeq = 0;
  if (count === 0) return { keys, lastSeq };
  let seen = 0;
  const timer = setTimeout(() => sub.unsubscribe(), Math.max(0, deadline - Date.now()));
  try {
    for await (const m of sub) {
      const op = m.headers?.get(KV_OPERATION) ?? '';
      if (op !== 'DEL' && op !== 'PURGE') keys.push(m.subject);
      lastSeq = Math.max(lastSeq, streamSeqOf(m.reply));
      if (++seen >= count) return { keys, lastSeq };
    }
  } finally {
    clearTimeout(timer);
  }
  throw new UnavailableError(`listing ended after ${seen} of ${count} keys; try again`);
}
