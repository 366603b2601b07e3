/** The JetStream subjects one access to one stream, bucket or consumer takes (the table: nats-permissions.ts). */

/** `own`: the one service that creates the stream and sets its limits (stream create and update). */
export type Access = 'read' | 'write' | 'own';

/** JetStream API subjects that read one stream: info, direct and stored gets, and consumers for watches and key lists. */
export function streamRead(stream: string): string[] {
  return [
    `$JS.API.STREAM.INFO.${stream}`,
    `$JS.API.STREAM.MSG.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}.>`,
    `$JS.API.CONSUMER.CREATE.${stream}`,
    `$JS.API.CONSUMER.CREATE.${stream}.>`,
    `$JS.API.CONSUMER.DELETE.${stream}.>`,
    `$JS.API.CONSUMER.INFO.${stream}.>`,
    // Flow-control answers of the ordered consumers behind watches and key lists.
    `$JS.FC.${stream}.>`,
  ];
}

/**
 * Only a stream's owner creates it and reconciles its settings (others wait for it: kv.ts): with
 * update, a reader could set `max_age` on `KV_accounts` and bring revoked tokens back. A writer
 * also purges and deletes entries.
 */
function streamManage(stream: string, access: Access): string[] {
  const manage = access === 'own' ? [`$JS.API.STREAM.CREATE.${stream}`, `$JS.API.STREAM.UPDATE.${stream}`] : [];
  return access === 'read' ? manage : [...manage, `$JS.API.STREAM.PURGE.${stream}`, `$JS.API.STREAM.MSG.DELETE.${stream}`];
}

/** A KV bucket: its stream `KV_<bucket>`, its entries `$KV.<bucket>.<key>` (written by publishing there). */
export function kvGrant(bucket: string, access: Access): string[] {
  const stream = `KV_${bucket}`;
  return [...streamRead(stream), ...streamManage(stream, access), ...(access === 'read' ? [] : [`$KV.${bucket}.>`])];
}

/** An object store: its stream `OBJ_<bucket>`, its chunks and metadata under `$O.<bucket>.>`. */
export function objectStoreGrant(bucket: string, access: Access): string[] {
  const stream = `OBJ_${bucket}`;
  // The client looks its stream up by subject (stream names only, no content).
  const lookup = '$JS.API.STREAM.NAMES';
  return [lookup, ...streamRead(stream), ...streamManage(stream, access), ...(access === 'read' ? [] : [`$O.${bucket}.>`])];
}

/** One durable consumer on a stream: made (if absent), pulled from and acked; nothing else of the stream. */
export function durableConsumer(stream: string, durable: string): string[] {
  return [
    `$JS.API.CONSUMER.DURABLE.CREATE.${stream}.${durable}`,
    `$JS.API.CONSUMER.MSG.NEXT.${stream}.${durable}`,
    `$JS.ACK.${stream}.${durable}.>`,
  ];
}
