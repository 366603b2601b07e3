import type { FunctionDefinition } from '@faas/common';
import { request } from '@faas/testing';
import { expect } from 'chai';
import { errorOf, functionBody, registryWithUser, startRegistry, type RegistryUnderTest, type TestUser } from './helpers.js';

const SHA = 'a'.repeat(64);

describe('registry: image references and operator limits', () => {
  let registry: RegistryUnderTest;
  let user: TestUser;
  before(async () => ({ registry, user } = await registryWithUser()));
  after(() => registry.close());

  const create = (overrides: Record<string, unknown>) =>
    request<FunctionDefinition>(`${registry.url}/functions`, { body: functionBody(overrides), token: user.token });
  const refusal = async (overrides: Record<string, unknown>): Promise<string> => {
    const res = await create(overrides);
    expect(res.status, JSON.stringify(res.body)).to.equal(400);
    expect(errorOf(res).code).to.equal('VALIDATION_FAILED');
    return errorOf(res).message;
  };

  const badImages: Array<[string, string]> = [
    ['upper-case path components', 'UPPER/case'],
    ['a space', 'a b'],
    ['a .. path component', 'foo/../bar'],
    ['300 characters', `x/${'a'.repeat(298)}`],
    ['an empty string', ''],
    ['a bad tag', 'foo:-tag'],
    ['a short sha256 digest', 'foo@sha256:abc'],
    ['no repository', ':latest'],
    ['an empty path component', 'foo//bar'],
    ['a leading separator', '-foo/bar'],
    ['a registry port out of range', 'localhost:99999/foo'],
    ['unicode', 'registry.example.com/ñandú'],
  ];
  for (const [what, image] of badImages) {
    it(`refuses an image reference with ${what} (400)`, async () => {
      expect(await refusal({ image })).to.include('image');
    });
  }

  const goodImages = [
    'busybox',
    'library/busybox:1.36',
    'registry.example.com:5000/team/sub/app:v1.2.3',
    `app@sha256:${SHA}`,
    `ghcr.io/org/app:1.0@sha256:${SHA}`,
    'my_app__x/y-z.w:Tag_1',
    '[2001:db8::1]:5000/app',
  ];
  it('accepts well-formed image references with registry, port, path, tag and digest', async () => {
    for (const image of goodImages) {
      const res = await create({ image });
      expect(res.status, `${image}: ${JSON.stringify(res.body)}`).to.equal(201);
      expect(res.body.image).to.equal(image);
    }
  });

  const internalRegistries = ['localhost:5000/x', 'localhost/app', '127.0.0.1:5000/x', '[::1]:5000/app', '169.254.169.254/x', '10.1.2.3:5000/x', '192.168.1.1/x', 'registry:5000/x', 'faas.localhost/x', '[::ffff:7f00:1]/x', '[64:ff9b::a00:1]/x'];
  it('refuses loopback, private, link-local and single-label registry hosts (400 naming ALLOW_PRIVATE_REGISTRIES)', async () => {
    for (const image of internalRegistries) {
      const message = await refusal({ image });
      expect(message, image).to.include('ALLOW_PRIVATE_REGISTRIES');
    }
  });

  it('accepts them when the operator allows private registries', async () => {
    const allowing = await registryWithUser({ ALLOW_PRIVATE_REGISTRIES: 'true' });
    try {
      for (const image of internalRegistries) {
        const res = await request<FunctionDefinition>(`${allowing.registry.url}/functions`, { body: functionBody({ image }), token: allowing.user.token });
        expect(res.status, `${image}: ${JSON.stringify(res.body)}`).to.equal(201);
      }
    } finally {
      await allowing.registry.close();
    }
  });

  it('refuses limits above the ceilings with a message naming each ceiling', async () => {
    expect(await refusal({ timeoutSeconds: 601 })).to.include('600 (MAX_TIMEOUT_SECONDS)');
    expect(await refusal({ memoryMb: 1_025 })).to.include('1024 (MAX_MEMORY_MB)');
    expect(await refusal({ cpus: 2.5 })).to.include('2 (MAX_CPUS)');
    expect(await refusal({ network: 'bridge' })).to.include('ALLOW_NETWORK');
  });

  it('accepts limits at the ceilings', async () => {
    const res = await create({ timeoutSeconds: 600, memoryMb: 1_024, cpus: 2, env: { A: 'x'.repeat(16_000) } });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  });

  it('refuses an env over MAX_ENV_BYTES with 400 naming it, and a body over the limit with 413', async () => {
    expect(await refusal({ env: { BIG: 'x'.repeat(20_000) } })).to.include('(MAX_ENV_BYTES)');
    const many = Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`KEY_${i}`, 'v'.repeat(100)]));
    const res = await create({ env: many });
    expect(res.status).to.equal(413);
    expect(errorOf(res).code).to.equal('PAYLOAD_TOO_LARGE');
  });
});

describe('registry: ceilings come from the operator', () => {
  it('applies configured ceilings, lowers defaults to fit them and allows bridge when told', async () => {
    const registry = await startRegistry({ MAX_TIMEOUT_SECONDS: '30', MAX_MEMORY_MB: '128', MAX_CPUS: '0.25', ALLOW_NETWORK: 'true' });
    try {
      const user = await registry.newUser();
      const create = (overrides: Record<string, unknown>) =>
        request<FunctionDefinition>(`${registry.url}/functions`, { body: functionBody(overrides), token: user.token });
      const defaults = await create({});
      expect(defaults.body).to.include({ timeoutSeconds: 30, memoryMb: 128, cpus: 0.25, network: 'none' });
      expect((await create({ network: 'bridge' })).body).to.include({ network: 'bridge' });
      const over = await create({ timeoutSeconds: 31 });
      expect(over.status).to.equal(400);
      expect(errorOf(over).message).to.include('30 (MAX_TIMEOUT_SECONDS)');
    } finally {
      await registry.close();
    }
  });
});
