import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from '@faas/testing';
import { SIGNATURE_HEADER, verifyCallbackSignature } from '@faas/publisher-service';
import { expect } from 'chai';
import type { Platform } from '../src/platform.js';
import { IMAGES, buildImages, newFunction, newUser, startTestPlatform } from './helpers.js';

describe('standalone platform: callbacks', function () {
  this.timeout(60_000);
  let open: Platform;
  let receiver: Server;
  const received: Array<{ headers: Record<string, unknown>; body: Record<string, unknown>; raw: string }> = [];
  let hits = 0;
  let notify: (() => void) | undefined;

  before(async () => {
    await buildImages();
    open = await startTestPlatform({ CALLBACK_ALLOW_PRIVATE: 'true', CALLBACK_BACKOFF_MS: '50' });
    receiver = createServer((req, res) => {
      hits += 1;
      // The first delivery fails, to show that callbacks are retried.
      if (hits === 1) return void res.writeHead(503).end();
      let data = '';
      req.on('data', (chunk: Buffer) => (data += chunk.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body: JSON.parse(data) as Record<string, unknown>, raw: data });
        res.writeHead(204).end();
        notify?.();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    await open.stop();
    receiver.close();
  });

  it('POSTs the final record to the callback URL, retrying after a failure', async () => {
    const base = open.baseUrl;
    const user = await newUser(base);
    const name = await newFunction(base, user, IMAGES.echo);
    const port = (receiver.address() as AddressInfo).port;
    const arrived = new Promise<void>((resolve) => (notify = resolve));
    const res = await request<{ executionId: string }>(`${base}/publisher/executions`, {
      token: user.token,
      body: { name, argument: 'call me', callbackUrl: `http://127.0.0.1:${port}/hook` },
    });
    expect(res.status).to.equal(202);
    await arrived;
    expect(hits).to.equal(2);
    expect(received[0]?.body).to.include({ id: res.body.executionId, status: 'succeeded', result: 'call me' });
    expect(received[0]?.headers['x-faas-execution-id']).to.equal(res.body.executionId);
    // Signed with the user's callback key, which the user reads from the API (docs/callbacks.md).
    const key = await request<{ key: string; header: string }>(`${base}/publisher/callback-key`, { token: user.token });
    expect(key.status).to.equal(200);
    expect(key.body.header).to.equal(SIGNATURE_HEADER);
    const signature = String(received[0]?.headers[SIGNATURE_HEADER]);
    expect(verifyCallbackSignature(key.body.key, signature, received[0]?.raw ?? '')).to.equal(true);
    const rotated = await request<{ key: string }>(`${base}/publisher/callback-key/rotate`, { token: user.token, method: 'POST' });
    expect(rotated.body.key).to.not.equal(key.body.key);
    expect(verifyCallbackSignature(rotated.body.key, signature, received[0]?.raw ?? '')).to.equal(false);
  });
});

describe('standalone platform: callback targets (SSRF)', function () {
  this.timeout(60_000);
  let strict: Platform;
  before(async () => {
    await buildImages();
    strict = await startTestPlatform();
  });
  after(() => strict.stop());

  it('refuses a callback to 127.0.0.1 by default and queues nothing', async () => {
    const base = strict.baseUrl;
    const user = await newUser(base);
    const name = await newFunction(base, user, IMAGES.echo);
    const res = await request(`${base}/publisher/executions`, {
      token: user.token,
      body: { name, argument: 'x', callbackUrl: 'http://127.0.0.1:9/hook' },
    });
    expect(res.status).to.equal(400);
    expect(res.body).to.have.nested.property('error.code', 'VALIDATION_FAILED');
    const list = await request<{ items: unknown[] }>(`${base}/publisher/executions`, { token: user.token });
    expect(list.body.items).to.have.length(0);
  });
});
