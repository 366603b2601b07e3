import type { Msg, NatsConnection } from 'nats';

export interface GetCounts {
  /** DIRECT.GET requests naming the key: any replica may answer them. */
  direct: number;
  /** STREAM.MSG.GET requests naming the key: the stream's leader answers them. */
  leader: number;
  /** Flushes (every request made so far is counted), then stops counting. */
  stop(): Promise<void>;
}

/** A get names its key in the subject (direct, by last subject) or in the request body. */
const mentions = (msg: Msg, key: string): boolean => msg.subject.endsWith(key) || new TextDecoder().decode(msg.data).includes(key);

/**
 * Counts the gets of `bucket`'s `key` that `nc` itself makes, by kind: where a reader's reads go
 * (a leader read is read-your-writes, a direct get may be a lagging replica's answer). `nc` must be
 * the reading connection: its own requests reach its own subscriptions at once, while another
 * connection may sit on another server, where its interest arrives a moment after its flush (a
 * request made in that moment went uncounted: a suite run saw 0 leader reads). Resolves once the
 * server has the subscriptions.
 */
export async function countGets(nc: NatsConnection, bucket: string, key: string): Promise<GetCounts> {
  const counts: GetCounts = {
    direct: 0,
    leader: 0,
    async stop() {
      await nc.flush();
      for (const sub of subs) sub.unsubscribe();
    },
  };
  const count = (subject: string, kind: 'direct' | 'leader') =>
    nc.subscribe(subject, { callback: (_err, msg) => void (mentions(msg, key) && (counts[kind] += 1)) });
  const stream = `KV_${bucket}`;
  const subs = [count(`$JS.API.DIRECT.GET.${stream}.>`, 'direct'), count(`$JS.API.DIRECT.GET.${stream}`, 'direct'), count(`$JS.API.STREAM.MSG.GET.${stream}`, 'leader')];
  await nc.flush();
  return counts;
}
