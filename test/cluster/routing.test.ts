/**
 * The HAProxy configuration's routing (`cluster/haproxy-config.ts`), read from HAProxy's request
 * log: a session's requests go to one backend whatever the prefix depth, server id, transport or
 * trailing slash; requests without a session are balanced round robin; the health check passes on
 * every runtime's greeting.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type Cluster, startCluster } from '../../cluster/cluster.ts';
import { ensureBuilt } from '../support/build.ts';

const TRANSPORTS = [
  'xhr',
  'xhr_send',
  'xhr_streaming',
  'eventsource',
  'htmlfile',
  'jsonp',
  'jsonp_send',
  'websocket',
];

async function routeOf(cluster: Cluster, method: string, path: string): Promise<string> {
  const before = cluster.routes().length;
  const response = await fetch(`${cluster.url}${path}`, { method, signal: AbortSignal.timeout(5000) });
  await response.body?.cancel();
  const deadline = Date.now() + 3000;
  for (;;) {
    const route = cluster
      .routes()
      .slice(before)
      .find((each) => each.path === path.split('?')[0]);
    if (route !== undefined) return route.server;
    assert.ok(Date.now() < deadline, `HAProxy logged no ${method} ${path}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('cluster routing (HAProxy)', () => {
  let cluster: Cluster;
  before(async () => {
    ensureBuilt(); // the Node backend runs from .build/ (test/support/build.ts)
    cluster = await startCluster({
      logRequests: true,
      stats: true,
      check: { interMs: 200, fall: 3, rise: 2 },
    });
  });
  after(() => cluster?.stop());

  it('hashes on the session id at any prefix depth, for every transport, server id and a trailing slash', async () => {
    const serversUsed = new Set<string>();
    for (const prefix of ['/echo', '/a/b', '/x/y/z/w']) {
      for (let i = 0; i < 6; i++) {
        const sid = randomUUID();
        const servers = new Set<string>();
        for (const [index, transport] of TRANSPORTS.entries()) {
          const serverId = String(index * 111).padStart(3, '0');
          // Unknown prefixes and sessions get 404 from the backend: the route is what counts.
          servers.add(await routeOf(cluster, 'POST', `${prefix}/${serverId}/${sid}/${transport}`));
          servers.add(await routeOf(cluster, 'GET', `${prefix}/${serverId}/${sid}/${transport}/?c=x`));
        }
        assert.equal(servers.size, 1, `${prefix} session ${sid}: ${[...servers]}`);
        serversUsed.add([...servers][0]!);
      }
    }
    assert.deepEqual([...serversUsed].sort(), ['bun', 'deno', 'node'], 'sessions spread over every backend');
  });

  it('balances requests without a session round robin: /info, the greeting, iframe.html, raw /websocket', async () => {
    for (const path of ['/echo/info', '/echo', '/echo/iframe.html', '/echo/websocket', '/a/b/info']) {
      const servers = new Set<string>();
      const order: string[] = [];
      for (let i = 0; i < 9; i++) order.push(await routeOf(cluster, 'GET', path));
      for (const server of order) servers.add(server);
      assert.deepEqual([...servers].sort(), ['bun', 'deno', 'node'], `${path}: ${order}`);
    }
  });

  it('sees every backend UP through its greeting health check', async () => {
    const states = async () => {
      const csv = await (await fetch(`${cluster.statsUrl}/;csv`)).text();
      const rows = csv.split('\n').map((line) => line.split(','));
      const header = rows[0]!;
      return rows
        .filter((row) => row[0] === 'sockjs' && ['node', 'deno', 'bun'].includes(row[1]!))
        .map((row) => `${row[1]} ${row[header.indexOf('status')]} ${row[header.indexOf('check_status')]}`)
        .sort();
    };
    // Right after start a check may not have run yet (`INI`).
    const expected = ['bun UP L7OK', 'deno UP L7OK', 'node UP L7OK'];
    const deadline = Date.now() + 10_000;
    let got = await states();
    while (JSON.stringify(got) !== JSON.stringify(expected) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      got = await states();
    }
    assert.deepEqual(got, expected);
  });
});
