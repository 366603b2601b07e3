import { BUCKETS, connectNats, createLogger, openBucket } from '@faas/common';
import { buildFunctionImage, newSecretsKeyLine, request, tempSecretsKeyFile, testNatsUrls, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import type { KV, NatsConnection, Subscription } from 'nats';
import type { Platform } from '../src/platform.js';
import { buildImages, capturingLogger, newFunction, newUser, startTestPlatform, userIdOf, type Execution, type TestUser } from './helpers.js';

const IMAGES = Object.freeze({ printEnv: 'faas-test/print-env:latest', envLength: 'faas-test/env-length:latest' });
let imagesBuilt: Promise<unknown> | undefined;
function buildSecretImages(): Promise<unknown> {
  imagesBuilt ??= Promise.all([
    buildImages(),
    // The argument (a secret name, so safe to eval) names the variable: one prints its value, the other only its length.
    buildFunctionImage(IMAGES.printEnv, 'eval "v=\\${$1}"; printf "%s" "$v"\n'),
    buildFunctionImage(IMAGES.envLength, 'eval "v=\\${$1}"; printf "len=%s" "${#v}"\n'),
  ]);
  return imagesBuilt;
}

const secretName = (prefix: string): string => `${prefix}_${uniqueName('').slice(1).replace(/-/g, '_').toUpperCase()}`;
const secretValue = (): string => `v4lue-${uniqueName('s')}-x`;

async function addSecret(base: string, user: TestUser, name: string, value: string): Promise<void> {
  const res = await request(`${base}/registry/secrets`, { token: user.token, body: { name, value } });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
}

async function publish(base: string, user: TestUser, name: string, argument: string): Promise<Execution & { error?: string }> {
  const res = await request<Execution & { error?: string }>(`${base}/publisher/publish`, { token: user.token, body: { name, argument } });
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return res.body;
}

/** Every message on a subject pattern while the test runs, as text. */
function capture(nc: NatsConnection, subject: string): { messages: string[]; sub: Subscription } {
  const messages: string[] = [];
  const sub = nc.subscribe(subject, { callback: (_err, msg) => messages.push(msg.string()) });
  return { messages, sub };
}

describe('standalone platform: secrets reach the run, and nowhere else', function () {
  this.timeout(120_000);
  const logLines: string[] = [];
  const values: string[] = [];
  let platform: Platform;
  let base: string;
  let nc: NatsConnection;
  let secretsKv: KV;
  let executionsKv: KV;

  before(async () => {
    await buildSecretImages();
    platform = await startTestPlatform({ SECRETS_KEY_FILE: tempSecretsKeyFile() }, capturingLogger(logLines));
    base = platform.baseUrl;
    nc = await connectNats({ servers: testNatsUrls(), name: 'secrets-test', logger: createLogger('secrets-test', 'silent') });
    secretsKv = await openBucket(nc, BUCKETS.secrets, { replicas: 3, leaderReads: true });
    executionsKv = await openBucket(nc, BUCKETS.executions, { replicas: 3, leaderReads: true });
  });
  after(async () => {
    await platform?.stop();
    await nc?.close();
  });

  it("gives the function its secret's value as an environment variable", async () => {
    const user = await newUser(base);
    const name = secretName('DB_URL');
    const value = secretValue();
    values.push(value);
    await addSecret(base, user, name, value);
    const fn = await newFunction(base, user, IMAGES.printEnv, { secrets: [name] });
    const run = await publish(base, user, fn, name);
    expect(run, JSON.stringify(run)).to.include({ status: 'succeeded' });
    expect(run.result?.trim()).to.equal(value);
  });

  it('gives the next run a replaced value: secrets belong to the run, not to a (warm) container', async () => {
    const user = await newUser(base);
    const name = secretName('ROLLING');
    await addSecret(base, user, name, 'first-value');
    const fn = await newFunction(base, user, IMAGES.printEnv, { secrets: [name] });
    expect((await publish(base, user, fn, name)).result?.trim()).to.equal('first-value');
    const put = await request(`${base}/registry/secrets/${name}`, { method: 'PUT', token: user.token, body: { value: 'second-value' } });
    expect(put.status).to.equal(200);
    expect((await publish(base, user, fn, name)).result?.trim(), 'the same function revision, so the same warm-container key').to.equal('second-value');
  });

  it('keeps the value out of the definition, the bucket, the stream message, the record and /metrics', async () => {
    const user = await newUser(base);
    const userId = await userIdOf(base, user);
    const name = secretName('API_KEY');
    const value = secretValue();
    values.push(value);
    await addSecret(base, user, name, value);
    const fn = await newFunction(base, user, IMAGES.envLength, { secrets: [name] });
    const stream = capture(nc, `faas.exec.${userId}`);
    const results = capture(nc, 'faas.result.>');
    const run = await publish(base, user, fn, name);
    expect(run).to.include({ status: 'succeeded', result: `len=${value.length}` });
    await nc.flush();
    stream.sub.unsubscribe();
    results.sub.unsubscribe();

    const definition = await request(`${base}/registry/functions/${fn}`, { token: user.token });
    const raw = (await secretsKv.get(`${userId}.${name}`))?.string() ?? '';
    const record = (await executionsKv.get(run.id))?.string() ?? '';
    const metrics = await request<string>(`${base}/metrics`);
    expect(stream.messages.some((m) => m.includes(run.id) && m.includes(name)), 'the request on the stream was seen, naming the secret').to.equal(true);
    expect(raw).to.include('"ciphertext"');
    expect(record).to.include(run.id);
    for (const [where, text] of Object.entries({
      definition: JSON.stringify(definition.body),
      bucket: raw,
      stream: stream.messages.join('\n'),
      results: results.messages.join('\n'),
      record,
      api: JSON.stringify(run),
      metrics: String(metrics.body),
    })) {
      expect(text, where).to.not.include(value);
    }
  });

  it('ends an execution as error naming a secret deleted after the function was registered', async () => {
    const user = await newUser(base);
    const name = secretName('GONE');
    await addSecret(base, user, name, secretValue());
    const fn = await newFunction(base, user, IMAGES.printEnv, { secrets: [name] });
    expect((await request(`${base}/registry/secrets/${name}`, { method: 'DELETE', token: user.token })).status).to.equal(204);
    const run = await publish(base, user, fn, name);
    expect(run.status).to.equal('error');
    expect(run.error).to.include(name).and.include('not found');
  });

  it("refuses a ciphertext copied onto another user's key: an error, not the other user's value", async () => {
    const owner = await newUser(base);
    const thief = await newUser(base);
    const name = secretName('MOVED');
    const ownersValue = secretValue();
    values.push(ownersValue);
    await addSecret(base, owner, name, ownersValue);
    await addSecret(base, thief, name, 'the thief’s own value');
    const fn = await newFunction(base, thief, IMAGES.printEnv, { secrets: [name] });
    const stolen = await secretsKv.get(`${await userIdOf(base, owner)}.${name}`);
    await secretsKv.put(`${await userIdOf(base, thief)}.${name}`, stolen?.value ?? new Uint8Array());

    const run = await publish(base, thief, fn, name);
    expect(run.status).to.equal('error');
    expect(run.error).to.include(name).and.include('does not decrypt');
    expect(JSON.stringify(run)).to.not.include(ownersValue);
  });

  it('never wrote a secret value in any log line of this suite', () => {
    expect(logLines.length, 'the platform logged').to.be.greaterThan(10);
    expect(values.length).to.equal(3);
    for (const value of values) expect(logLines.join('\n')).to.not.include(value);
  });
});

describe('standalone platform: secrets key rotation', function () {
  this.timeout(120_000);
  const oldKey = newSecretsKeyLine('2025-old');
  const newKey = newSecretsKeyLine('2026-new');

  before(() => buildSecretImages());

  it('still reads values sealed under the old key once a new key is rolled in, and seals new values with the new key', async () => {
    const first = await startTestPlatform({ SECRETS_KEY_FILE: tempSecretsKeyFile([oldKey]) });
    const user = await newUser(first.baseUrl);
    const name = secretName('ROTATED');
    const fn = await (async () => {
      try {
        await addSecret(first.baseUrl, user, name, 'sealed-under-old');
        return await newFunction(first.baseUrl, user, IMAGES.printEnv, { secrets: [name] });
      } finally {
        await first.stop();
      }
    })();

    const second = await startTestPlatform({ SECRETS_KEY_FILE: tempSecretsKeyFile([newKey, oldKey]) });
    const nc = await connectNats({ servers: testNatsUrls(), name: 'rotation-test', logger: createLogger('rotation-test', 'silent') });
    try {
      const base = second.baseUrl;
      const kv = await openBucket(nc, BUCKETS.secrets, { replicas: 3, leaderReads: true });
      const key = `${await userIdOf(base, user)}.${name}`;
      expect((await kv.get(key))?.string()).to.include('"kid":"2025-old"');
      expect((await publish(base, user, fn, name)).result?.trim()).to.equal('sealed-under-old');

      const put = await request(`${base}/registry/secrets/${name}`, { method: 'PUT', token: user.token, body: { value: 'sealed-under-new' } });
      expect(put.body).to.include({ version: 2 });
      expect((await kv.get(key))?.string()).to.include('"kid":"2026-new"');
      expect((await publish(base, user, fn, name)).result?.trim()).to.equal('sealed-under-new');
    } finally {
      await second.stop();
      await nc.close();
    }
  });
});
