import { FUNCTION_SCRIPTS, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { IMAGES, buildImages, containersOf, execute, executionRequest, startTestSpawner, type SpawnerUnderTest } from './helpers.js';

describe('spawner: runs functions and records what they printed', () => {
  let sut: SpawnerUnderTest;
  before(async function () {
    this.timeout(120_000);
    await buildImages({
      [IMAGES.echo]: FUNCTION_SCRIPTS.echo,
      [IMAGES.upper]: FUNCTION_SCRIPTS.upper,
      [IMAGES.fail]: FUNCTION_SCRIPTS.fail,
      'faas-test-sp-env:latest': 'printf "%s/%s" "$GREETING" "$1"\n',
    });
    sut = await startTestSpawner();
  });
  after(async () => {
    if (!sut) return; // before() failed
    await sut.close();
    expect(await containersOf(`faas.spawner=${sut.config.spawnerId}`)).to.have.length(0);
  });

  it('returns the stdout of an echo function as a succeeded record', async () => {
    const request = executionRequest(IMAGES.echo, 'hello, world');
    const record = await execute(sut, request);
    expect(record).to.include({ status: 'succeeded', result: 'hello, world', logs: '', exitCode: 0, truncated: false, attempt: 1 });
    expect(record.spawner).to.be.a('string');
    expect(record.durationMs).to.be.a('number').at.least(0);
    expect(Date.parse(record.finishedAt ?? '')).to.be.at.least(Date.parse(record.startedAt ?? ''));
  });

  it('passes the argument as one argv element, spaces and quotes included', async () => {
    const argument = `it's "quoted" $HOME; rm -rf /`;
    const record = await execute(sut, executionRequest(IMAGES.echo, argument));
    expect(record.result).to.equal(argument);
  });

  it('returns the stdout of an upper-case function', async () => {
    const record = await execute(sut, executionRequest(IMAGES.upper, 'make me loud'));
    expect(record).to.include({ status: 'succeeded', result: 'MAKE ME LOUD' });
  });

  it('records a non-zero exit as failed and keeps stdout, stderr and the exit code', async () => {
    const record = await execute(sut, executionRequest(IMAGES.fail, 'x'));
    expect(record).to.include({ status: 'failed', result: 'partial output\n', logs: 'something broke\n', exitCode: 3 });
  });

  it('passes the function env to the container', async () => {
    const record = await execute(sut, executionRequest('faas-test-sp-env:latest', 'arg', { env: { GREETING: 'hola' } }));
    expect(record).to.include({ status: 'succeeded', result: 'hola/arg' });
  });

  it('records an image that cannot be pulled as error with the reason', async () => {
    const image = `${uniqueName('faas-test-missing')}:latest`;
    const record = await execute(sut, executionRequest(image, 'x'));
    expect(record.status).to.equal('error');
    expect(record.error).to.contain(`cannot pull image ${image}`);
  });

  it('creates the record when the publisher never wrote one, and stores the spawner id', async () => {
    const request = executionRequest(IMAGES.echo, 'no queued record');
    const record = await execute(sut, request);
    expect(record).to.include({ id: request.id, user: request.userId, function: request.function, image: request.image });
    expect(record.queuedAt).to.equal(request.queuedAt);
  });
});
