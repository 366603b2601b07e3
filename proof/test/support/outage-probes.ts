import { BUCKETS, FINAL_STATUSES, SUBJECTS, openBucket, type FunctionDefinition, createExecutionStore, openExecutionsBucket, type ExecutionRecord, type ExecutionRequest } from '@faas/common';
import { uniqueName } from '@faas/testing';
import type { NatsConnection } from 'nats';
import { docker } from './observers.js';

type EngineEvent = { Actor: { ID: string; Attributes: Record<string, string> } };

async function events(since: number, filters: Record<string, string[]>): Promise<EngineEvent[]> {
  const stream = await docker.getEvents({ since, until: Math.ceil(Date.now() / 1000) + 1, filters });
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as EngineEvent);
}

/**
 * Volumes the engine mounted at `destination` since `since` (seconds) into execution containers
 * of this run, and those of them still on the engine (the supervisor volume's never-started
 * filler may get one, removed with it).
 */
export async function volumesMountedAt(runId: string, destination: string, since: number): Promise<{ executions: string[]; left: string[] }> {
  const created = await events(since, { type: ['container'], event: ['create'], label: [`faas.proof.run=${runId}`] });
  const fillers = new Set(created.filter((e) => e.Actor.Attributes['faas.execution'] === 'supervisor-fill').map((e) => e.Actor.ID));
  const ours = new Set(created.map((e) => e.Actor.ID));
  const mounts = (await events(since, { type: ['volume'], event: ['mount'] })).filter(
    (e) => ours.has(e.Actor.Attributes.container ?? '') && e.Actor.Attributes.destination === destination,
  );
  const present = await Promise.all(mounts.map((e) => docker.getVolume(e.Actor.ID).inspect().then(() => e.Actor.ID, () => undefined)));
  return {
    executions: mounts.filter((e) => !fillers.has(e.Actor.Attributes.container ?? '')).map((e) => e.Actor.ID),
    left: present.filter((id): id is string => id !== undefined),
  };
}

/**
 * Stores a definition straight into the `functions` bucket and publishes its execution request
 * straight onto the stream, as a definition from before the registry's checks would be: for
 * images the registry now refuses at registration. (The spawner runs what the bucket says, not
 * what the message says: docs/internal-trust.md.)
 */
export async function publishRaw(nc: NatsConnection, image: string, timeoutSeconds = 5): Promise<string> {
  const name = uniqueName('raw');
  const at = new Date().toISOString();
  const limits = { timeoutSeconds, memoryMb: 64, cpus: 0.5, network: 'none' as const };
  const definition: FunctionDefinition = {
    id: name, userId: 'proof-raw-user', name, image, description: '', env: {}, ...limits, revision: 1, createdAt: at, updatedAt: at,
  };
  const functions = await openBucket(nc, BUCKETS.functions, { replicas: 3 });
  await functions.put(`${definition.userId}.${name}`, JSON.stringify(definition));
  const request: ExecutionRequest = {
    id: uniqueName('ex'),
    userId: definition.userId,
    function: name,
    image,
    argument: 'x',
    env: {},
    limits,
    queuedAt: new Date().toISOString(),
  };
  await nc.jetstream().publish(SUBJECTS.exec(request.userId), JSON.stringify(request), { msgID: request.id });
  return request.id;
}

/** The records of `ids` once all are final, or as they are when `timeoutMs` passes. */
export async function rawRecords(nc: NatsConnection, ids: readonly string[], timeoutMs: number): Promise<Array<ExecutionRecord | undefined>> {
  const store = createExecutionStore(await openExecutionsBucket(nc, 3, { leaderReads: true }));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const records = await Promise.all(ids.map(async (id) => (await store.get(id))?.record));
    if (records.every((r) => r && FINAL_STATUSES.has(r.status)) || Date.now() > deadline) return records;
    await new Promise((r) => setTimeout(r, 250));
  }
}
