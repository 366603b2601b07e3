import { createLogger } from '@faas/common';
import { uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { ImagePullError } from '../src/domain/ports.js';
import { createImagePuller } from '../src/infra/image-puller.js';
import { docker } from './helpers.js';

describe('spawner: image pulls', () => {
  const puller = createImagePuller(docker, createLogger('spawner-test', 'silent'));

  it('shares one pull between concurrent executions of one image (one failure, seen by all)', async () => {
    const image = `${uniqueName('faas-test-missing')}:latest`;
    const failures = await Promise.all([1, 2, 3].map(() => puller.ensure(image).then(() => undefined, (err: unknown) => err)));
    expect(failures[0]).to.be.instanceOf(ImagePullError);
    expect(failures[1]).to.equal(failures[0]);
    expect(failures[2]).to.equal(failures[0]);
  });

  it('pulls again after a failed pull (failures are not cached)', async () => {
    const image = `${uniqueName('faas-test-missing')}:latest`;
    const first = await puller.ensure(image).catch((err: unknown) => err);
    const second = await puller.ensure(image).catch((err: unknown) => err);
    expect(second).to.be.instanceOf(ImagePullError);
    expect(second).to.not.equal(first);
  });
});
