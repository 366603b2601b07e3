import { BUCKETS, openBucket, sealSecret, parseSecretKeyring } from '@faas/common';
import { newSecretsKeyLine, tempSecretsKeyFile, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import type { KV } from 'nats';
import { buildImages, execute, executionRequest, startTestSpawner, type SpawnerUnderTest } from './helpers.js';

const IMAGE = 'faas-test-sp-secret:latest';
/** The environment the run was exec'd with, raw (a shell keeps the last of two entries, getenv(3) the first). */
const ENV_IMAGE = 'faas-test-sp-secret-env:latest';
const keyLine = newSecretsKeyLine('sp-test');

describe('spawner: secrets for the run', () => {
  let sut: SpawnerUnderTest;
  let kv: KV;
  before(async function () {
    this.timeout(120_000);
    await buildImages({ [IMAGE]: 'printf "%s/%s" "$TOKEN_A" "$PLAIN"\n', [ENV_IMAGE]: 'tr "\\000" "\\n" < /proc/$$/environ | grep -E "^(TOKEN_A|PLAIN)=" | sort\n' });
    sut = await startTestSpawner({ SECRETS_KEY_FILE: tempSecretsKeyFile([keyLine]) });
    kv = await openBucket(sut.nc, BUCKETS.secrets, { replicas: 3 });
  });
  after(() => sut?.close());

  const seal = async (owner: string, name: string, value: string, sealedFor = owner): Promise<void> => {
    const sealed = sealSecret(parseSecretKeyring(keyLine), { userId: sealedFor, name }, value);
    await kv.put(`${owner}.${name}`, JSON.stringify({ name, version: 1, createdAt: '', updatedAt: '', sealed }));
  };

  it('decrypts the declared secrets into the run’s environment, over a plain env entry of the same name, and records no value', async () => {
    const userId = uniqueName('u');
    const value = `secret-${uniqueName()}`;
    await seal(userId, 'TOKEN_A', value);
    const request = executionRequest(IMAGE, 'x', { userId, secrets: ['TOKEN_A'], env: { TOKEN_A: 'from-env', PLAIN: 'plain' } });
    const record = await execute(sut, request);
    expect(record).to.include({ status: 'succeeded', result: `${value}/plain` });
    const stored = await sut.store.get(request.id);
    expect(JSON.stringify({ ...stored?.record, result: null })).to.not.include(value);
  });

  it('gives a warm run the secret over a plain env entry of the same name, as a cold run (a definition stored before the registry refused both)', async () => {
    const userId = uniqueName('u');
    const value = `secret-${uniqueName()}`;
    await seal(userId, 'TOKEN_A', value);
    for (const attempt of ['new container', 'reused container']) {
      const request = executionRequest(ENV_IMAGE, 'x', { userId, secrets: ['TOKEN_A'], env: { TOKEN_A: 'from-env', PLAIN: 'plain' }, warm: true });
      const record = await execute(sut, request);
      expect(record, attempt).to.include({ status: 'succeeded', result: `PLAIN=plain\nTOKEN_A=${value}\n` });
    }
  });

  it('reads the values from the bucket leader, never by a direct get a lagging replica could answer with a rotated value', async () => {
    const userId = uniqueName('u');
    await seal(userId, 'TOKEN_A', 'leader-read');
    // A plain subscription sees a copy of every request on these subjects, whoever answers it.
    const seen = { direct: 0, leader: 0 };
    const direct = [sut.nc.subscribe('$JS.API.DIRECT.GET.KV_secrets'), sut.nc.subscribe('$JS.API.DIRECT.GET.KV_secrets.>')];
    const leader = sut.nc.subscribe('$JS.API.STREAM.MSG.GET.KV_secrets');
    void Promise.all(direct.map(async (sub) => { for await (const _ of sub) seen.direct++; }));
    void (async () => { for await (const _ of leader) seen.leader++; })();
    await sut.nc.flush();
    try {
      const record = await execute(sut, executionRequest(IMAGE, 'x', { userId, secrets: ['TOKEN_A'] }));
      expect(record).to.include({ status: 'succeeded', result: 'leader-read/' });
      await sut.nc.flush();
      expect(seen).to.deep.include({ direct: 0 }).and.property('leader').above(0);
    } finally {
      [...direct, leader].forEach((sub) => sub.unsubscribe());
    }
  });

  it('ends as error naming a missing secret, and as error for one sealed for another user', async () => {
    const missing = await execute(sut, executionRequest(IMAGE, 'x', { userId: uniqueName('u'), secrets: ['TOKEN_A'] }));
    expect(missing.status).to.equal('error');
    expect(missing.error).to.include('TOKEN_A').and.include('not found');

    const userId = uniqueName('u');
    await seal(userId, 'TOKEN_A', 'someone-elses', uniqueName('other'));
    const moved = await execute(sut, executionRequest(IMAGE, 'x', { userId, secrets: ['TOKEN_A'] }));
    expect(moved).to.include({ status: 'error', result: null });
    expect(moved.error).to.include('does not decrypt');
  });
});

describe('spawner: secrets without SECRETS_KEY_FILE', () => {
  let sut: SpawnerUnderTest;
  before(async function () {
    this.timeout(120_000);
    await buildImages({ [IMAGE]: 'printf "%s/%s" "$TOKEN_A" "$PLAIN"\n' });
    sut = await startTestSpawner();
  });
  after(() => sut?.close());

  it('ends an execution that needs secrets as error saying why, and runs the others', async () => {
    const record = await execute(sut, executionRequest(IMAGE, 'x', { secrets: ['TOKEN_A'] }));
    expect(record.status).to.equal('error');
    expect(record.error).to.include('SECRETS_KEY_FILE');
    expect((await execute(sut, executionRequest(IMAGE, 'x', { env: { PLAIN: 'p' } }))).result).to.equal('/p');
  });
});
