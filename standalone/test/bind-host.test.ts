import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { createLogger } from '@faas/common';
import { tempSecretFile, testNatsUrls } from '@faas/testing';
import { expect } from 'chai';
import { startPlatform, type Platform } from '../src/platform.js';

/** This machine's own non-loopback IPv4 address: connecting to it never leaves the host. */
const ownAddress = (): string | undefined =>
  Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

const reachable = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

describe('standalone platform: listening address', function () {
  this.timeout(60_000);
  let platform: Platform | undefined;
  afterEach(async () => platform?.stop());

  const start = (extra: Record<string, string>): Promise<Platform> =>
    startPlatform(
      { NATS_URL: testNatsUrls().join(','), NATS_REPLICAS: '3', JWT_SECRET_FILE: tempSecretFile(), STANDALONE_SPAWNER: 'false', ...extra },
      createLogger('bind-test', 'silent'),
      0,
    );

  it('listens on 127.0.0.1 when HOST is not set: not reachable through the machine\'s other addresses', async () => {
    platform = await start({});
    expect(platform.host).to.equal('127.0.0.1');
    expect(await reachable('127.0.0.1', platform.port)).to.equal(true);
    const other = ownAddress();
    if (other) expect(await reachable(other, platform.port), `through ${other}`).to.equal(false);
  });

  it('serves /metrics on loopback only: on 0.0.0.0 not at all, or only with METRICS_TOKEN_FILE\'s token', async () => {
    platform = await start({});
    expect((await fetch(`http://127.0.0.1:${platform.port}/metrics`)).status, 'loopback').to.equal(200);
    await platform.stop();
    platform = await start({ HOST: '0.0.0.0' });
    const open = await fetch(`http://127.0.0.1:${platform.port}/metrics`);
    expect(open.status).to.equal(404);
    expect(await open.text()).not.to.include('# HELP');
    await platform.stop();
    const tokenFile = tempSecretFile();
    platform = await start({ HOST: '0.0.0.0', METRICS_TOKEN_FILE: tokenFile });
    const url = `http://127.0.0.1:${platform.port}/metrics`;
    expect((await fetch(url)).status, 'no token').to.equal(404);
    expect((await fetch(url, { headers: { authorization: 'Bearer wrong' } })).status, 'wrong token').to.equal(404);
    const token = readFileSync(tokenFile, 'utf8').trim();
    const scraped = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(scraped.status).to.equal(200);
    expect(await scraped.text()).to.include('# HELP');
  });

  it('listens on every interface when HOST=0.0.0.0 (the documented way to serve the network)', async function () {
    const other = ownAddress();
    if (!other) return this.skip();
    platform = await start({ HOST: '0.0.0.0' });
    expect(await reachable(other, platform.port)).to.equal(true);
  });
});
