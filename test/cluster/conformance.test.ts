/**
 * The SockJS conformance suite and sockjs-client's tests through HAProxy, against a cluster of
 * Node, Deno and Bun backends (`cluster/`): every session must land, with all its requests, on one
 * backend (a request that reaches another fails the suite: 404 or a new session), and the
 * sessions of the run must be spread over all three.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineSockJSClientSuite } from '../client/sockjs-client.ts';
import { defineConformanceSuite } from '../conformance/index.ts';
import { clusterTarget } from '../support/cluster-target.ts';

const target = clusterTarget('haproxy in front of node, deno and bun', { logRequests: true });

defineConformanceSuite(target);
defineSockJSClientSuite(target);

/** `/<prefix>/<server_id>/<session_id>/<transport>` with a one-segment prefix, as the suites use. */
const SESSION_REQUEST = /^\/[^/]+\/[^/.]+\/([^/.]+)\/[a-z_]+$/;

describe('cluster routing during the suites above', () => {
  it('sent every request of a session to one backend, and sessions to every backend', () => {
    const serversBySession = new Map<string, Set<string>>();
    const sessionsByServer = new Map<string, number>();
    let requests = 0;
    for (const cluster of target.clusters) {
      for (const route of cluster.routes()) {
        const session = SESSION_REQUEST.exec(route.path)?.[1];
        if (session === undefined || route.server.startsWith('<')) continue;
        requests++;
        // Session ids are random per test; one cluster's ids never meet the other's.
        const key = `${cluster.url} ${session}`;
        const servers = serversBySession.get(key) ?? new Set();
        if (servers.size === 0)
          sessionsByServer.set(route.server, (sessionsByServer.get(route.server) ?? 0) + 1);
        servers.add(route.server);
        serversBySession.set(key, servers);
      }
    }
    assert.ok(target.clusters.length > 0, 'the suites started a cluster');
    assert.ok(serversBySession.size > 100, `sessions seen: ${serversBySession.size} (${requests} requests)`);
    const split = [...serversBySession].filter(([, servers]) => servers.size > 1);
    assert.deepEqual(split, [], 'sessions whose requests reached more than one backend');
    assert.deepEqual(
      [...sessionsByServer.keys()].sort(),
      ['bun', 'deno', 'node'],
      `sessions per backend: ${JSON.stringify(Object.fromEntries(sessionsByServer))}`,
    );
    for (const [server, count] of sessionsByServer) {
      assert.ok(
        count >= serversBySession.size / 10,
        `${server} holds ${count} of ${serversBySession.size} sessions`,
      );
    }
  });
});
