import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { NATS_SERVICES, natsPasswordVariable, stackNatsAuthorization } from '../src/index.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('the stack\'s nats-auth.conf', () => {
  it('is what the permission table generates (npm run nats-auth -w @faas/common rewrites it)', () => {
    expect(readFileSync(join(repoRoot, 'nats-auth.conf'), 'utf8')).to.equal(stackNatsAuthorization());
  });

  it('names every service\'s password variable, which the NATS tasks set from their Docker secrets', () => {
    const compose = readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8');
    for (const service of NATS_SERVICES) {
      expect(stackNatsAuthorization()).to.contain(`password: $${natsPasswordVariable(service)}`);
      expect(compose, service).to.contain(`nats_${service}_password`);
    }
  });
});
