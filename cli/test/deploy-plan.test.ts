import { expect } from 'chai';
import { planDeploy, type Deployed } from '../src/deploy-plan.js';
import { parseStack } from '../src/stack-file.js';

const deployed = (name: string, fields: Record<string, unknown> = {}): Deployed => ({
  id: `id-${name}`,
  userId: 'u1',
  name,
  image: `img/${name}:1`,
  description: '',
  env: {},
  timeoutSeconds: 60,
  memoryMb: 256,
  cpus: 0.5,
  network: 'none',
  revision: 4,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...fields,
});

describe('deploy plan: what a stack file changes', () => {
  it('sends back the fields the file leaves out, as they are, with the revision it read', () => {
    const stack = parseStack('functions:\n  a:\n    image: img/a:2\n', 'faas.yml');
    const [step] = planDeploy(stack, [deployed('a', { memoryMb: 64, env: { K: 'v' }, warm: false })], false);
    expect(step).to.deep.include({ name: 'a', action: 'updated', fields: ['image'] });
    expect(step?.body).to.deep.equal({
      image: 'img/a:2',
      description: '',
      env: { K: 'v' },
      timeoutSeconds: 60,
      memoryMb: 64,
      cpus: 0.5,
      network: 'none',
      warm: false,
      revision: 4,
    });
  });

  it('compares env as a whole, whatever the key order, with YAML numbers as strings', () => {
    const stack = parseStack('functions:\n  a:\n    image: img/a:1\n    env: {B: 2, A: x}\n', 'faas.yml');
    expect(planDeploy(stack, [deployed('a', { env: { A: 'x', B: '2' } })], false)[0]?.action).to.equal('unchanged');
    expect(planDeploy(stack, [deployed('a', { env: { A: 'x', B: '2', C: '3' } })], false)[0]).to.deep.include({ action: 'updated', fields: ['env'] });
  });

  it('flattens limits into the API fields and lists only the ones that differ', () => {
    const stack = parseStack('functions:\n  a:\n    image: img/a:1\n    limits: {timeoutSeconds: 60, memoryMb: 128}\n', 'faas.yml');
    expect(planDeploy(stack, [deployed('a')], false)[0]).to.deep.include({ action: 'updated', fields: ['memoryMb'] });
  });

  it('creates what is missing with only what the file says, and reports or prunes the rest', () => {
    const stack = parseStack('functions:\n  new:\n    image: img/new:1\n    warm: true\n', 'faas.yml');
    const kept = planDeploy(stack, [deployed('old')], false);
    expect(kept.map((s) => [s.name, s.action])).to.deep.equal([['new', 'created'], ['old', 'not in file']]);
    expect(kept[0]?.body).to.deep.equal({ name: 'new', image: 'img/new:1', warm: true });
    expect(planDeploy(stack, [deployed('old')], true)[1]?.action).to.equal('removed');
  });

  it('refuses unknown keys and missing images, naming each place', () => {
    expect(() => parseStack('functions:\n  a:\n    imgae: x\n    limits: {memory: 1}\n', 'f.yml')).to.throw(
      /f\.yml: functions\.a\.image: image is required.*functions\.a\.limits: Unrecognized key: "memory".*functions\.a: Unrecognized key: "imgae"/,
    );
    expect(() => parseStack('functions: [', 'f.yml')).to.throw(/f\.yml: not valid YAML/);
  });
});
