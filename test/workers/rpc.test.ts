/**
 * The package's Durable Object class is workerd's own kind (`extends DurableObject` from
 * `cloudflare:workers`): a subclass's methods answer RPC through the binding's stub, which
 * workerd refuses for a class that does not extend `DurableObject`, and the subclass sees
 * `ctx`/`env` as on any Durable Object, while SockJS still answers through the same object. The
 * built `dist/workers.js` runs on Miniflare as it is, with `cloudflare:workers` left to workerd.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Miniflare } from 'miniflare';
import { ensureBuilt } from '../support/build.ts';
import { repoRoot } from '../support/server-process.ts';

const WORKER = `
import { sockjsDurableObject, sockjsWorker } from './workers.js';

const services = [
  {
    options: { prefix: '/echo' },
    setup(server) {
      server.addEventListener('connection', ({ connection }) => {
        connection.addEventListener('message', ({ data }) => connection.send(data));
      });
    },
  },
];

export class SockJSSessions extends sockjsDurableObject(services) {
  describe(greeting) {
    return { greeting, object: this.ctx.id.name, hasEnv: this.env.SOCKJS !== undefined };
  }
}

const worker = sockjsWorker({ binding: 'SOCKJS', services });

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === '/rpc') return Response.json(await env.SOCKJS.getByName('room-1').describe('hello'));
    return worker.fetch(request, env, ctx);
  },
};
`;

describe('the Durable Object class over RPC (Miniflare, built package)', () => {
  let dir: string;
  let miniflare: Miniflare;
  let origin: string;

  before(async () => {
    ensureBuilt();
    dir = mkdtempSync(path.join(tmpdir(), 'sockjs-rpc-'));
    const dist = path.join(repoRoot, 'dist');
    for (const file of readdirSync(dist).filter((name) => name.endsWith('.js'))) {
      cpSync(path.join(dist, file), path.join(dir, file));
    }
    writeFileSync(path.join(dir, 'main.js'), WORKER);
    miniflare = new Miniflare({
      modules: true,
      scriptPath: path.join(dir, 'main.js'),
      modulesRoot: dir,
      modulesRules: [{ type: 'ESModule', include: ['**/*.js'] }],
      compatibilityDate: '2026-04-20',
      durableObjects: { SOCKJS: { className: 'SockJSSessions', useSQLite: true } },
      host: '127.0.0.1',
      port: 0,
      cf: false,
    });
    origin = (await miniflare.ready).origin;
  });

  after(async () => {
    await miniflare?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers a subclass's method through the stub, with the object's ctx and env", async () => {
    const response = await fetch(`${origin}/rpc`);
    assert.equal(response.status, 200, await response.clone().text());
    assert.deepEqual(await response.json(), { greeting: 'hello', object: 'room-1', hasEnv: true });
  });

  it('still serves SockJS from the same class', async () => {
    const session = Math.random().toString(36).slice(2, 10);
    const base = `${origin}/echo/000/${session}`;
    assert.equal(await (await fetch(`${base}/xhr`, { method: 'POST' })).text(), 'o\n');
    const sent = await fetch(`${base}/xhr_send`, { method: 'POST', body: '["ping"]' });
    assert.equal(sent.status, 204);
    assert.equal(await (await fetch(`${base}/xhr`, { method: 'POST' })).text(), 'a["ping"]\n');
  });
});
