import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { eventually, freePort, request, tempSecretFile, testNatsUrls } from '@faas/testing';
import { expect } from 'chai';
import type { Platform } from '../src/platform.js';
import { IMAGES, buildImages, finalExecution, newFunction, newUser, repoRoot, startTestPlatform, type Execution } from './helpers.js';

describe('standalone platform: a publisher killed mid-execution', function () {
  this.timeout(90_000);
  let platform: Platform;
  const children: ChildProcess[] = [];

  /** A real publisher-service process, pointed at the platform's registry. */
  async function startPublisher(secretFile: string): Promise<{ url: string; child: ChildProcess }> {
    const port = await freePort();
    const child = spawn(process.execPath, [join(repoRoot, 'publisher-service/dist/src/main.js')], {
      env: {
        ...process.env,
        PORT: String(port),
        NATS_URL: testNatsUrls().join(','),
        NATS_REPLICAS: '3',
        JWT_SECRET_FILE: secretFile,
        REGISTRY_URL: platform.baseUrl.replace('localhost', '127.0.0.1'),
        LOG_LEVEL: 'silent',
      },
      stdio: 'ignore',
    });
    children.push(child);
    const url = `http://127.0.0.1:${port}`;
    await eventually(async () => ((await request(`${url}/publisher/ready`)).status === 200 ? true : undefined), 15_000, 100);
    return { url, child };
  }

  let secretFile: string;
  before(async () => {
    await buildImages();
    secretFile = tempSecretFile();
    platform = await startTestPlatform({ JWT_SECRET_FILE: secretFile });
  });
  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await platform.stop();
  });

  it('still leaves a final record that GET /publisher/executions/:id returns', async () => {
    const user = await newUser(platform.baseUrl);
    const name = await newFunction(platform.baseUrl, user, IMAGES.sleep, { timeoutSeconds: 20 });
    const first = await startPublisher(secretFile);
    const pending = request(`${first.url}/publisher/publish`, { token: user.token, body: { name, argument: '3' } }).catch(
      (err: unknown) => err,
    );
    const running = await eventually(async () => {
      const list = await request<{ items: Execution[] }>(`${platform.baseUrl}/publisher/executions?function=${name}`, { token: user.token });
      return list.body.items.find((e) => e.status === 'running');
    }, 20_000, 100);

    first.child.kill('SIGKILL');
    expect(await pending).to.be.instanceOf(Error, 'the waiting client lost its connection');

    const second = await startPublisher(secretFile);
    const final = await finalExecution(second.url, user, running.id);
    expect(final).to.include({ status: 'succeeded', attempt: 1 });
  });
  it('answers a waiting sync caller 202 with its status URL on SIGTERM, exits 0, and the run still finishes', async () => {
    const user = await newUser(platform.baseUrl);
    const name = await newFunction(platform.baseUrl, user, IMAGES.sleep, { timeoutSeconds: 60 });
    const first = await startPublisher(secretFile);
    const exited = new Promise<number | null>((resolve) => first.child.once('exit', (code) => resolve(code)));
    // Waits up to 65 s (timeout + margin): far past any stop grace period.
    const pending = request<{ executionId: string; status: string; statusUrl: string }>(`${first.url}/publisher/publish`, {
      token: user.token,
      body: { name, argument: '4' },
    });
    const running = await eventually(async () => {
      const list = await request<{ items: Execution[] }>(`${platform.baseUrl}/publisher/executions?function=${name}`, { token: user.token });
      return list.body.items.find((e) => e.status === 'running');
    }, 20_000, 100);

    first.child.kill('SIGTERM');
    const answer = await pending;
    expect(answer.status).to.equal(202);
    expect(answer.body).to.deep.include({ executionId: running.id, statusUrl: `/publisher/executions/${running.id}` });
    expect(await exited).to.equal(0);
    const final = await finalExecution(platform.baseUrl, user, running.id);
    expect(final).to.include({ status: 'succeeded', attempt: 1 });
  });
});
