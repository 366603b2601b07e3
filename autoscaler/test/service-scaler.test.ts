import { expect } from 'chai';
import Docker from 'dockerode';
import { FUNCTION_SCRIPTS, TEST_LABEL, buildFunctionImage, eventually, rejection, uniqueName } from '@faas/testing';
import { dockerServiceScaler } from '../src/infra/service-scaler.js';

/** Tasks of a service that run now. */
async function runningTasks(docker: Docker, service: string): Promise<number> {
  const tasks = (await docker.listTasks({ filters: JSON.stringify({ service: [service], 'desired-state': ['running'] }) })) as Array<{
    Status?: { State?: string };
  }>;
  return tasks.filter((t) => t.Status?.State === 'running').length;
}

describe('service scaler (real Docker engine, Swarm manager)', function () {
  this.timeout(120_000);
  const docker = new Docker();
  const image = `${uniqueName('faas-as-test')}:latest`;
  const service = uniqueName('faas-as-scaler');

  before(async function () {
    const info = (await docker.info()) as { Swarm?: { ControlAvailable?: boolean } };
    // CI runs the unit tests before bin/e2e-swarm.sh makes the engine a swarm manager.
    if (!info.Swarm?.ControlAvailable) this.skip();
    await buildFunctionImage(image, FUNCTION_SCRIPTS.sleep);
    await docker.createService({
      Name: service,
      Labels: { [TEST_LABEL]: '1' },
      TaskTemplate: { ContainerSpec: { Image: image, Args: ['3600'], Labels: { [TEST_LABEL]: '1' } }, RestartPolicy: { Condition: 'none' } },
      Mode: { Replicated: { Replicas: 0 } },
    });
  });

  after(async function () {
    if (!(await docker.getService(service).inspect().catch(() => undefined))) return;
    await docker.getService(service).remove();
    await eventually(async () => ((await docker.listContainers({ all: true, filters: { label: [`com.docker.swarm.service.name=${service}`] } })).length === 0 ? true : undefined), 60_000, 500);
    await docker.getImage(image).remove({ force: true }).catch(() => undefined);
  });

  it('reads the replicas the spec asks for and changes them, and Swarm follows', async () => {
    const scaler = dockerServiceScaler(docker, service);
    expect(await scaler.replicas()).to.equal(0);
    await scaler.scaleTo(2);
    expect(await scaler.replicas()).to.equal(2);
    await eventually(async () => ((await runningTasks(docker, service)) === 2 ? true : undefined), 60_000, 500);
    await scaler.scaleTo(1);
    expect(await scaler.replicas()).to.equal(1);
    await eventually(async () => ((await runningTasks(docker, service)) === 1 ? true : undefined), 60_000, 500);
    // The rest of the spec is kept: same image, same arguments.
    const spec = ((await docker.getService(service).inspect()) as { Spec: { TaskTemplate: { ContainerSpec: { Image: string; Args: string[] } } } }).Spec;
    expect(spec.TaskTemplate.ContainerSpec).to.include({ Image: image });
    expect(spec.TaskTemplate.ContainerSpec.Args).to.deep.equal(['3600']);
  });

  it('says NOT_FOUND for a service that does not exist', async () => {
    const err = await rejection(dockerServiceScaler(docker, uniqueName('faas-as-missing')).replicas());
    expect(err.code).to.equal('NOT_FOUND');
  });
});
