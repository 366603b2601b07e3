import { OUTPUTS_PREFIX, type ObjectEventKind, type ObjectTrigger } from '@faas/common';

/** Which of the two object stores a change is in: a user's uploads, or an execution's outputs. */
export type ObjectSource = 'uploads' | 'outputs';

/** One stored or deleted object, read from a meta message of its store's stream. */
export interface ObjectChange {
  readonly source: ObjectSource;
  readonly userId: string;
  /** The name its owner sees (`executions/<id>/<path>` for an output). */
  readonly name: string;
  readonly event: ObjectEventKind;
  readonly size: number;
  /** `SHA-256=<base64url>`, empty for a deletion. */
  readonly digest: string;
  /** When the change was stored (the meta message's time). */
  readonly time: string;
  /** Stream and sequence of the meta message: the change's identity. */
  readonly id: string;
  /** outputs: the execution that wrote it. */
  readonly execution?: string;
}

/** The fields of the Object Store's meta message (nats.js ObjectInfo) read here. */
export interface ObjectMeta {
  readonly name?: unknown;
  readonly size?: unknown;
  readonly digest?: unknown;
  readonly deleted?: unknown;
}

/**
 * The change a meta message records, or undefined for one that is not a user's object. Keys are
 * `<userId>/<name>` in the uploads store and `<userId>/<executionId>/<path>` in the outputs one.
 */
export function objectChangeOf(source: ObjectSource, meta: ObjectMeta, at: { id: string; timeMs: number }): ObjectChange | undefined {
  if (typeof meta.name !== 'string') return undefined;
  const slash = meta.name.indexOf('/');
  if (slash <= 0) return undefined;
  const userId = meta.name.slice(0, slash);
  const rest = meta.name.slice(slash + 1);
  const execution = source === 'outputs' ? rest.split('/', 1)[0] : undefined;
  return {
    source, userId, id: at.id,
    name: source === 'outputs' ? OUTPUTS_PREFIX + rest : rest,
    event: meta.deleted === true ? 'deleted' : 'created',
    size: meta.deleted === true || typeof meta.size !== 'number' ? 0 : meta.size,
    digest: meta.deleted === true || typeof meta.digest !== 'string' ? '' : meta.digest,
    time: new Date(at.timeMs).toISOString(),
    ...(execution ? { execution } : {}),
  };
}

/** Whether the trigger fires on the change: its owner's, an event and name it asks for, an output only when it takes outputs. */
export function objectTriggerMatches(trigger: ObjectTrigger, change: ObjectChange): boolean {
  return trigger.enabled && trigger.userId === change.userId && trigger.events.includes(change.event) && change.name.startsWith(trigger.prefix)
    && (change.source === 'uploads' || trigger.outputs);
}

/** The content's SHA-256 in hex (S3's eTag is a hash in hex too, MD5 there). */
const hexOf = (digest: string): string => (digest.startsWith('SHA-256=') ? Buffer.from(digest.slice('SHA-256='.length), 'base64url').toString('hex') : '');

/** The argument of the execution: an S3 event notification with one record (docs/triggers.md). */
export function s3EventOf(change: ObjectChange, trigger: Pick<ObjectTrigger, 'name'>): string {
  const object = change.event === 'created'
    ? { key: change.name, size: change.size, eTag: hexOf(change.digest), sequencer: change.id }
    : { key: change.name, sequencer: change.id };
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'faas:objects',
        eventTime: change.time,
        eventName: change.event === 'created' ? 'ObjectCreated:Put' : 'ObjectRemoved:Delete',
        userIdentity: { principalId: change.userId },
        s3: { s3SchemaVersion: '1.0', configurationId: trigger.name, bucket: { name: 'objects' }, object },
      },
    ],
  });
}
