/**
 * No lost messages: for a while, on every transport of one runtime at once, clients of
 * `/sequence` (sessions.ts) receive numbered messages while dropping receivers, pausing and
 * reconnecting, and every session's delivery is checked. Each test reports what the app was
 * asked to send, what was delivered, and how sessions ended.
 *
 * Bounded by time: `SOAK_SECONDS` per transport (default 12); `SOAK_SEED` replays a run.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ConformanceTarget, capabilitiesOf, type RunningServer } from '../support/server-process.ts';
import {
  HTTP_TRANSPORTS,
  planSession,
  random,
  runHttpSession,
  runWebSocketSession,
  type SessionResult,
} from './sessions.ts';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 12);
const HEARTBEAT_MS = 2000;

interface Tally {
  sessions: number;
  /** Sessions that received all N messages: N summed, and what arrived. */
  complete: { sessions: number; requested: number; delivered: number };
  /** Sessions the client dropped (then told by a close frame, or its own WebSocket abort). */
  dropped: { sessions: number; requested: number; delivered: number };
  /** Sessions the server ended early with a close frame of its own (e.g. 1013). */
  closedByServer: { sessions: number; requested: number; delivered: number };
  problems: string[];
}

function summary(name: string, tally: Tally): string {
  const { complete, dropped, closedByServer } = tally;
  return (
    `${name}: ${tally.sessions} sessions; ${complete.sessions} complete: ${complete.requested} messages sent, ` +
    `${complete.delivered} delivered; ${dropped.sessions} dropped by the client after ${dropped.delivered} of ` +
    `${dropped.requested} (HTTP: after pausing the app), each then closed; ${closedByServer.sessions} closed early by ` +
    `the server; lost, duplicated or reordered: ${tally.problems.length === 0 ? 0 : 'see below'}`
  );
}

export function defineSoakSuite(target: ConformanceTarget): void {
  const seed = Number(process.env.SOAK_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const caps = capabilitiesOf(target);

  describe(`no lost messages: ${target.name} (seed ${seed}; SOAK_SEED=${seed} replays it)`, {
    concurrency: true,
  }, () => {
    let server: RunningServer;
    before(async () => {
      server = await target.start({ SOCKJS_HEARTBEAT_DELAY: String(HEARTBEAT_MS) });
    });
    after(() => server?.stop());

    const transports = [...HTTP_TRANSPORTS.map((transport) => transport.name), 'websocket'];
    for (const [index, name] of transports.entries()) {
      it(`${name}: every session gets exactly 1..k in order, and k < N only after a close frame or its own drop`, async (t) => {
        const rng = random(seed + index);
        const http = HTTP_TRANSPORTS.find((transport) => transport.name === name);
        const tally: Tally = {
          sessions: 0,
          complete: { sessions: 0, requested: 0, delivered: 0 },
          dropped: { sessions: 0, requested: 0, delivered: 0 },
          closedByServer: { sessions: 0, requested: 0, delivered: 0 },
          problems: [],
        };
        const stopAt = Date.now() + SECONDS * 1000;
        while (Date.now() < stopAt) {
          const plan = planSession(rng, http?.streaming ?? true, http === undefined);
          const result: SessionResult =
            http === undefined
              ? await runWebSocketSession(server.url, plan)
              : await runHttpSession(server.url, http, plan, caps, rng);
          tally.sessions++;
          const kind =
            result.delivered === result.requested
              ? tally.complete
              : result.aborted
                ? tally.dropped
                : tally.closedByServer;
          kind.sessions++;
          kind.requested += result.requested;
          kind.delivered += result.delivered;
          for (const problem of result.problems) {
            tally.problems.push(`session ${tally.sessions} ${JSON.stringify(plan)}: ${problem}`);
          }
        }
        t.diagnostic(summary(name, tally));
        assert.deepEqual(tally.problems, []);
        assert.ok(tally.complete.sessions > 0, 'some sessions ran to the end');
      });
    }
  });
}
