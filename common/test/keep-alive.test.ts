import { Agent, request, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import { boundPort, closeServer, listen } from '../src/index.js';

/** Longer than Node's default keep-alive timeout (5 s), the one clients met before. */
const IDLE_GAP_MS = 6_000;

interface Answer {
  readonly status: number;
  readonly reused: boolean;
}

function get(port: number, agent: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/ping', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Resolves with the first server-side connection to close within `ms`, or undefined: an event, not a sleep. */
function firstCloseWithin(sockets: readonly Socket[], ms: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    for (const socket of sockets) {
      socket.once('close', () => {
        clearTimeout(timer);
        resolve(socket);
      });
    }
  });
}

describe('service runner: kept-alive connections', () => {
  let server: Server;
  let port: number;
  const accepted: Socket[] = [];

  before(async () => {
    const app = express();
    app.get('/ping', (_req, res) => void res.json({ ok: true }));
    server = await listen(app, 0, '127.0.0.1');
    server.on('connection', (socket: Socket) => accepted.push(socket));
    port = boundPort(server);
  });
  after(() => closeServer(server, 1_000));
  beforeEach(() => void (accepted.length = 0));

  it('keeps an idle connection open past 5 s and answers the next request on it', async function () {
    this.timeout(20_000);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await get(port, agent)).to.deep.equal({ status: 200, reused: false });
      const closed = await firstCloseWithin(accepted, IDLE_GAP_MS);
      expect(closed, 'the server closed the idle connection under the client').to.equal(undefined);
      expect(await get(port, agent)).to.deep.equal({ status: 200, reused: true });
      expect(accepted).to.have.length(1);
    } finally {
      agent.destroy();
    }
  });

  it('ends a shutdown once the answer in flight is sent, and that answer tells its client to close', async function () {
    this.timeout(10_000);
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const app = express();
    app.get('/slow', (_req, res) => void released.then(() => res.json({ ok: true })));
    const slow = await listen(app, 0, '127.0.0.1');
    const agent = new Agent({ keepAlive: true });
    try {
      const inFlight = new Promise((resolve) => slow.once('request', resolve));
      const answered = new Promise<string | undefined>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: boundPort(slow), path: '/slow', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.headers.connection));
        });
        req.on('error', reject);
        req.end();
      });
      await inFlight;
      // Cut only after 60 s: a shutdown that waited for the kept-alive connection would overrun this test.
      const stopped = closeServer(slow, 60_000);
      release();
      expect(await answered).to.equal('close');
      await stopped;
    } finally {
      agent.destroy();
    }
  });

  it('serves a client that reuses 16 connections through load, an idle gap and load again, on the same connections', async function () {
    this.timeout(30_000);
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const load = async (total: number): Promise<Answer[]> => {
      let next = 0;
      const answers: Answer[] = [];
      const client = async (): Promise<void> => {
        while (next++ < total) answers.push(await get(port, agent));
      };
      await Promise.all(Array.from({ length: 16 }, client));
      return answers;
    };
    try {
      await load(400);
      const opened = accepted.length;
      expect(await firstCloseWithin(accepted, IDLE_GAP_MS)).to.equal(undefined);
      const after = await load(400);
      expect(after.every((a) => a.status === 200 && a.reused)).to.equal(true);
      expect(accepted).to.have.length(opened);
    } finally {
      agent.destroy();
    }
  });
});
