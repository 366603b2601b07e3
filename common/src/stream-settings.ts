import type { JetStreamManager, StreamConfig } from 'nats';
import { nanos } from 'nats';
import type { Logger } from './logger.js';

/** What the owner of a stream (or of the stream behind a KV or object bucket) says it must be. */
export interface StreamSettings {
  readonly replicas: number;
  /** Message lifetime (a bucket's TTL); 0 keeps messages forever. */
  readonly maxAgeMs: number;
  /** Absent: left as it is (but never longer than maxAgeMs, which NATS refuses). */
  readonly duplicateWindowMs?: number;
  /** The stream's byte cap (-1: none); absent: left as it is. */
  readonly maxBytes?: number;
}

export interface SettingChange {
  readonly from: number;
  readonly to: number;
}

type Tracked = 'num_replicas' | 'max_age' | 'duplicate_window' | 'max_bytes';

function wantedConfig(current: StreamConfig, wanted: StreamSettings): Pick<StreamConfig, Tracked> {
  const maxAge = nanos(wanted.maxAgeMs);
  let window = wanted.duplicateWindowMs === undefined ? current.duplicate_window : nanos(wanted.duplicateWindowMs);
  if (maxAge > 0 && window > maxAge) window = maxAge;
  const maxBytes = wanted.maxBytes ?? current.max_bytes;
  return { num_replicas: wanted.replicas, max_age: maxAge, duplicate_window: window, max_bytes: maxBytes };
}

/**
 * nats.js never changes an existing stream, so whichever component created it first decided its
 * settings. The owner calls this at start: replicas, max_age, the duplicate window and max_bytes are compared
 * and updated, and each change is logged (durations in ms). Returns what changed.
 */
export async function reconcileStream(
  jsm: JetStreamManager,
  stream: string,
  wanted: StreamSettings,
  logger: Logger,
): Promise<Partial<Record<Tracked, SettingChange>>> {
  const current = (await jsm.streams.info(stream)).config;
  const target = wantedConfig(current, wanted);
  const changes: Partial<Record<Tracked, SettingChange>> = {};
  for (const key of Object.keys(target) as Tracked[]) {
    const from = current[key] ?? 0;
    const to = target[key];
    if (from !== to) changes[key] = key === 'num_replicas' || key === 'max_bytes' ? { from, to } : { from: from / 1e6, to: to / 1e6 };
  }
  if (Object.keys(changes).length === 0) return changes;
  await jsm.streams.update(stream, target);
  logger.info({ stream, changes }, 'stream settings updated to their owner\'s');
  return changes;
}
