import { BUCKETS, openBucket, parseSecretKeyring, sealSecret } from '@faas/common';
import { newSecretsKeyLine, tempSecretsKeyFile, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { buildImages, connectTestClient, containersOf, execute, executionRequest, startTestSpawner, type SpawnerUnderTest } from './helpers.js';

const IMAGE = 'faas-test-sp-process:latest';
/**
 * A Lambda Runtime API client in busybox sh (wget): what the supervisor serves, spoken by code
 * that is not ours. `count` lives in the process, so it shows whether the process survived.
 */
export const RUNTIME_CLIENT_SCRIPT = [
  'api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"',
  'count=0',
  // Leaves a child writing as fast as it can: it must not outlive the process into the record.
  'writer() { while :; do echo "still writing"; done; }',
  'while :; do',
  '  wget -q -S -O /tmp/event "$api/invocation/next" 2>/tmp/headers || exit 1',
  '  id=$(sed -n "s/^ *Lambda-Runtime-Aws-Request-Id: *//p" /tmp/headers | tr -d "\\r")',
  '  event=$(cat /tmp/event)',
  '  count=$((count + 1))',
  '  reply() { wget -q -O /dev/null --post-data="$1" "$api/invocation/$id/response"; }',
  '  case "$event" in',
  '    \'"throw"\') echo "about to fail"; wget -q -O /dev/null --post-data=\'{"errorMessage":"boom","errorType":"Error"}\' "$api/invocation/$id/error" ;;',
  '    \'"hang"\') sleep 600 ;;',
  '    \'"exit-after"\') reply "\\"bye\\""; exit 0 ;;',
  '    \'"crash"\') writer & echo "crashing"; exit 7 ;;',
  '    \'"chatty"\') i=0; while [ $i -lt 4000 ]; do echo "chatty-line-$i-padding-padding-padding"; i=$((i + 1)); done; reply "\\"done\\"" ;;',
  '    \'"secret"\') reply "\\"$TOKEN_A\\"" ;;',
  '    *) echo "log of $event"; reply "\\"$count\\"" ;;',
  '  esac',
  'done',
  '',
].join('\n');

const limits = { timeoutSeconds: 3, memoryMb: 64, cpus: 0.5, network: 'none' as const };
const keyLine = newSecretsKeyLine('sp-process');

describe('spawner: process mode (the Lambda Runtime API)', () => {
  let sut: SpawnerUnderTest;
  const user = uniqueName('proc-user');
  const invoke = (argument: string, overrides: Parameters<typeof executionRequest>[2] = {}) =>
    execute(sut, executionRequest(IMAGE, argument, { userId: user, function: 'procfn', revision: 1, limits, runtime: 'process', ...overrides }), 30_000);
  const succeeded = async (argument: string, overrides: Parameters<typeof executionRequest>[2] = {}): Promise<string> => {
    const record = await invoke(argument, overrides);
    expect(record.status, `${record.error ?? ''} ${record.logs ?? ''}`).to.equal('succeeded');
    return record.result ?? '';
  };

  before(async function () {
    this.timeout(120_000);
    await buildImages({ [IMAGE]: RUNTIME_CLIENT_SCRIPT });
    const client = await connectTestClient();
    await openBucket(client.nc, BUCKETS.functions, { replicas: 3 });
    await client.close();
    sut = await startTestSpawner({ MAX_CONTAINERS: '2', WARM_DEFAULT: 'false', MAX_WARM_CONTAINERS: '8', SECRETS_KEY_FILE: tempSecretsKeyFile([keyLine]) });
  });
  after(async () => {
    if (!sut) return;
    await sut.close();
    expect(await containersOf(`faas.spawner=${sut.config.spawnerId}`)).to.have.length(0);
  });

  it('keeps module state across invocations of one function (warm even when the default is cold), never across functions or users', async () => {
    const fn = uniqueName('state');
    expect([await succeeded('a', { function: fn }), await succeeded('b', { function: fn }), await succeeded('c', { function: fn })]).to.deep.equal(['1', '2', '3']);
    expect(await succeeded('a', { function: uniqueName('other-fn') })).to.equal('1');
    expect(await succeeded('a', { function: fn, userId: uniqueName('other-user') })).to.equal('1');
    expect(await succeeded('d', { function: fn })).to.equal('4');
  });

  it('passes a JSON argument as the event as-is and any other string as a JSON string', async () => {
    const fn = uniqueName('event');
    const json = await invoke('{"a":1}', { function: fn });
    expect(json.logs).to.include('log of {"a":1}');
    const text = await invoke('plain text', { function: fn });
    expect(text.logs).to.include('log of "plain text"');
  });

  it('ends an invocation whose handler reports an error as failed, with the error in the logs, and keeps the process', async () => {
    const fn = uniqueName('throw');
    expect(await succeeded('a', { function: fn })).to.equal('1');
    const failed = await invoke('throw', { function: fn });
    expect(failed.status).to.equal('failed');
    expect(failed.logs).to.include('about to fail').and.include('boom');
    expect(await succeeded('b', { function: fn })).to.equal('3');
  });

  it('times out a hanging handler, replaces its process, and runs the next invocation', async function () {
    this.timeout(60_000);
    const fn = uniqueName('hang');
    expect(await succeeded('a', { function: fn })).to.equal('1');
    const hung = await invoke('hang', { function: fn });
    expect(hung.status).to.equal('timed_out');
    expect(hung.logs).to.include('replaced');
    expect(await succeeded('b', { function: fn })).to.equal('1');
  });

  it('restarts a process that exited between invocations, and one that crashed during one, saying so', async () => {
    const fn = uniqueName('exit');
    expect(await succeeded('exit-after', { function: fn })).to.equal('bye');
    const next = await invoke('a', { function: fn });
    expect(next).to.include({ status: 'succeeded', result: '1' });
    expect(next.logs).to.include('had ended since the last invocation');
    const crashed = await invoke('crash', { function: fn });
    expect(crashed).to.include({ status: 'failed', exitCode: 7, truncated: false });
    expect(crashed.logs).to.include('crashing').and.include('ended before answering');
    expect(await succeeded('b', { function: fn })).to.equal('1');
  });

  it('never shows one invocation’s output in another’s logs', async () => {
    const fn = uniqueName('chatty');
    const chatty = await invoke('chatty', { function: fn });
    expect(chatty.status).to.equal('succeeded');
    expect(chatty.logs).to.include('chatty-line-0-').and.include('chatty-line-3999-');
    const quiet = await invoke('quiet', { function: fn });
    expect(quiet.logs).to.include('log of "quiet"').and.not.include('chatty-line');
  });

  it('gives each invocation the function’s secrets, and a changed secret a new process', async () => {
    const kv = await openBucket(sut.nc, BUCKETS.secrets, { replicas: 3 });
    const userId = uniqueName('u');
    const seal = async (value: string): Promise<void> => {
      const sealed = sealSecret(parseSecretKeyring(keyLine), { userId, name: 'TOKEN_A' }, value);
      await kv.put(`${userId}.TOKEN_A`, JSON.stringify({ name: 'TOKEN_A', version: 1, createdAt: '', updatedAt: '', sealed }));
    };
    const fn = uniqueName('secret');
    await seal('first-value');
    expect(await succeeded('secret', { userId, function: fn, secrets: ['TOKEN_A'] })).to.equal('first-value');
    expect(await succeeded('secret', { userId, function: fn, secrets: ['TOKEN_A'] })).to.equal('first-value');
    await seal('second-value');
    expect(await succeeded('secret', { userId, function: fn, secrets: ['TOKEN_A'] })).to.equal('second-value');
  });
});
