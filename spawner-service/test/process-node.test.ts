import { BUCKETS, openBucket } from '@faas/common';
import { buildNodeHandlerImage, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { connectTestClient, containersOf, execute, executionRequest, startTestSpawner, type SpawnerUnderTest } from './helpers.js';

const IMAGE = 'faas-test-sp-node-handler:latest';
/** A Lambda handler: module state, an object or a string result, a throw, console output. */
const HANDLER = `
let calls = 0;
exports.handler = async (event, context) => {
  calls += 1;
  console.log('handling', JSON.stringify(event), 'as', context.awsRequestId);
  if (event === 'throw') throw new TypeError('handler broke on purpose');
  if (event === 'text') return 'plain ' + calls;
  return { calls, event, pid: process.pid, remaining: context.getRemainingTimeInMillis() > 0 };
};
`;

const limits = { timeoutSeconds: 10, memoryMb: 128, cpus: 0.5, network: 'none' as const };

describe('spawner: process mode with a Node handler', () => {
  let sut: SpawnerUnderTest;
  const user = uniqueName('node-user');
  const invoke = (argument: string, fn: string) =>
    execute(sut, executionRequest(IMAGE, argument, { userId: user, function: fn, revision: 1, limits, runtime: 'process' }), 60_000);

  before(async function () {
    this.timeout(300_000);
    await buildNodeHandlerImage(IMAGE, HANDLER);
    const client = await connectTestClient();
    await openBucket(client.nc, BUCKETS.functions, { replicas: 3 });
    await client.close();
    sut = await startTestSpawner({ MAX_CONTAINERS: '2', MAX_WARM_CONTAINERS: '4' });
  });
  after(async () => {
    if (!sut) return;
    await sut.close();
    expect(await containersOf(`faas.spawner=${sut.config.spawnerId}`)).to.have.length(0);
  });

  it('keeps one Node process and its module state between invocations; a JSON event arrives parsed and an object returns as JSON', async function () {
    this.timeout(60_000);
    const fn = uniqueName('node-state');
    const first = await invoke('{"n":1}', fn);
    expect(first.status, `${first.error ?? ''} ${first.logs ?? ''}`).to.equal('succeeded');
    const a = JSON.parse(first.result ?? '') as { calls: number; event: unknown; pid: number; remaining: boolean };
    expect(a).to.include({ calls: 1, remaining: true });
    expect(a.event).to.deep.equal({ n: 1 });
    const second = JSON.parse((await invoke('{"n":2}', fn)).result ?? '') as { calls: number; pid: number };
    expect(second).to.include({ calls: 2, pid: a.pid });
    const text = await invoke('text', fn);
    expect(text).to.include({ status: 'succeeded', result: 'plain 3' });
    expect(text.logs).to.include('handling "text"').and.not.include('{"n":2}');
  });

  it('ends a throwing handler as failed with its error in the logs, and serves the next invocation', async function () {
    this.timeout(60_000);
    const fn = uniqueName('node-throw');
    const failed = await invoke('throw', fn);
    expect(failed.status).to.equal('failed');
    expect(failed.logs).to.include('handler broke on purpose').and.include('TypeError');
    const next = await invoke('{}', fn);
    expect(next.status).to.equal('succeeded');
    expect(JSON.parse(next.result ?? '')).to.include({ calls: 2 });
  });
});
