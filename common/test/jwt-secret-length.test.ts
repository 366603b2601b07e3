import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { z } from 'zod';
import { ConfigError, MIN_JWT_SECRET_BYTES, jwtEnvShape, parseConfig } from '../src/index.js';
import { tempSecretFile } from '@faas/testing';

const secretIn = (value: string): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'faas-jwt-')), 'jwt-secret');
  writeFileSync(file, `${value}\n`);
  return file;
};
const load = (path: string) => parseConfig(z.object(jwtEnvShape), { JWT_SECRET_FILE: path });

describe('config: the JWT secret has a minimum length', () => {
  it('refuses a short secret at start, naming the variable, the length and the minimum', () => {
    let caught: unknown;
    try {
      load(secretIn('changeme'));
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(ConfigError);
    const [problem] = (caught as ConfigError).problems;
    expect(problem).to.match(/^JWT_SECRET_FILE: /);
    expect(problem).to.include('is 8 bytes').and.include(`at least ${MIN_JWT_SECRET_BYTES}`);
  });

  it('accepts a secret of exactly the minimum, and the one the test harnesses generate', () => {
    expect(load(secretIn('x'.repeat(MIN_JWT_SECRET_BYTES))).JWT_SECRET_FILE).to.have.length(MIN_JWT_SECRET_BYTES);
    expect(load(tempSecretFile()).JWT_SECRET_FILE.length).to.be.at.least(MIN_JWT_SECRET_BYTES);
  });
});
