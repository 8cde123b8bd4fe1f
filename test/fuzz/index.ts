/**
 * Black-box fuzzing of a real server (one runtime per test file): random HTTP requests
 * (`http-cases.ts`) and random WebSocket sessions (`websocket-cases.ts`) against the demo
 * services, each bounded by a timeout, then checks that the server is still there: it answers
 * the greeting, every session the fuzz may have opened expires (the protocol's 404 for a send to
 * it, after the short disconnect delay), and its memory is near where it was.
 *
 * Runs are generated from a seed (printed; `FUZZ_SEED=<n>` replays one) and bounded
 * (`FUZZ_SCALE=<x>` multiplies the counts) so each runtime's file stays well under 30 s.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { HttpConnection } from '../support/raw-http.ts';
import {
  type ConformanceTarget,
  capabilitiesOf,
  type RunningServer,
  type TargetCapabilities,
} from '../support/server-process.ts';
import { toWsUrl, type WsClient, WsClient as WsClientClass, WsHandshakeError } from '../support/ws-client.ts';
import {
  describeRequest,
  type FuzzOutcome,
  type FuzzRequest,
  fuzzRequest,
  judge,
  PREFIXES,
} from './http-cases.ts';
import { isAlive, treeRssMiB } from './process-memory.ts';
import { defineFuzzRegressions } from './regressions.ts';
import {
  ECHO_PREFIXES,
  expectedHandshake,
  type FuzzWebSocketCase,
  frameData,
  frameEffect,
  fuzzWebSocketCase,
  SOCKJS_FRAME,
} from './websocket-cases.ts';

const HEARTBEAT_MS = 1000;
const DISCONNECT_MS = 1000;
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const HTTP_RUNS = Math.round(800 * SCALE);
const WEBSOCKET_RUNS = Math.round(100 * SCALE);
const CONCURRENCY = 6;
/** A complete request is answered within this (a poll on an open session waits one heartbeat). */
const ANSWER_MS = 4 * HEARTBEAT_MS;
/** A request whose body never fully arrives: how long to give the server to answer anyway. */
const INCOMPLETE_MS = 500;
/** How much more memory the server may hold after the run than after the warm-up. */
const RSS_GROWTH_LIMIT_MIB = 64;

async function pool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends one request on a fresh connection and reads its answer (a stream: its first chunk). */
async function execute(baseUrl: string, request: FuzzRequest, ownOrigin: string): Promise<FuzzOutcome> {
  const timeoutMs = request.incomplete ? INCOMPLETE_MS : ANSWER_MS;
  const connection = await HttpConnection.open(baseUrl, ANSWER_MS);
  connection.socket.on('error', () => {});
  try {
    const headers = request.headers.map(([name, value]): [string, string] => [
      name,
      name === 'Origin' && value === 'OWN' ? ownOrigin : value,
    ]);
    connection.send({ method: request.method, path: request.target, headers, body: request.body });
    const response = await connection.readResponse(timeoutMs, request.method);
    const contentType = response.header('content-type') ?? '';
    const streaming =
      response.status === 200 &&
      (contentType.startsWith('text/event-stream') ||
        /\/(htmlfile|xhr_streaming)\/?(\?|$)/.test(request.target));
    let body = '';
    if (response.status !== 101) {
      body = streaming
        ? ((await response.nextText(timeoutMs)) ?? '')
        : (await response.readAll(timeoutMs)).toString('utf8');
    }
    return { kind: 'response', status: response.status, headers: (name) => response.header(name), body };
  } catch (error) {
    const message = (error as Error).message;
    return /timed out/.test(message)
      ? { kind: 'timeout', detail: message }
      : { kind: 'closed', detail: message };
  } finally {
    connection.destroy();
  }
}

/** Plays one WebSocket case; the reason it went wrong, or null. */
async function playWebSocket(
  baseUrl: string,
  test: FuzzWebSocketCase,
  id: string,
  caps: Readonly<Required<TargetCapabilities>>,
): Promise<string | null> {
  const lateTcpClose = caps.lateTcpCloseAfterServerClose;
  const path = test.raw ? `${test.prefix}/websocket` : `${test.prefix}/000/${id}/websocket`;
  const query = test.token ? '?token=let-me-in&user=fuzz' : '';
  const origin = test.origin === 'OWN' ? new URL(baseUrl).origin : test.origin;
  const expected = expectedHandshake(test);
  let ws: WsClient;
  try {
    ws = await WsClientClass.connect(
      toWsUrl(baseUrl) + path + query,
      ANSWER_MS,
      origin ? { Origin: origin } : undefined,
    );
  } catch (error) {
    if (error instanceof WsHandshakeError) {
      return error.status === expected ? null : `handshake answered ${error.status}, expected ${expected}`;
    }
    return `handshake failed: ${(error as Error).message}`;
  }
  try {
    if (expected !== 101) return `handshake succeeded, expected ${expected}`;
    const closeFrame = () => (lateTcpClose ? ws.waitForCloseFrame(ANSWER_MS) : ws.waitForClose(ANSWER_MS));
    const received: string[] = [];
    /** Reads what came so far (or waits up to `ms` for one more frame): application messages. */
    const read = async (ms: number): Promise<string | null> => {
      let frame: string;
      try {
        frame = await ws.next(ms);
      } catch {
        return null;
      }
      if (test.raw) {
        received.push(frame);
        return frame;
      }
      if (!SOCKJS_FRAME.test(frame))
        throw new Error(`not a SockJS frame: ${JSON.stringify(frame.slice(0, 100))}`);
      if (frame.startsWith('a')) received.push(...(JSON.parse(frame.slice(1)) as string[]));
      return frame;
    };

    if (!test.raw) {
      const open = await read(ANSWER_MS);
      if (open !== 'o') return `first frame ${JSON.stringify(open)}, expected "o"`;
    }
    if (test.prefix === '/close') {
      if (!test.raw && (await read(ANSWER_MS)) !== 'c[3000,"Go away!"]')
        return 'no c[3000,"Go away!"] from /close';
      const close = await closeFrame();
      const code = test.raw ? 3000 : 1000;
      return close.code === code
        ? null
        : `/close closed with ${close.code} ${close.reason}, expected ${code}`;
    }

    const expectedMessages: string[] = [];
    let fatal: ReturnType<typeof frameEffect> | null = null;
    for (const frame of test.frames) {
      const effect = frameEffect(test, frame, caps.invalidUtf8Text);
      const { data, binary } = frameData(frame);
      ws.socket.send(data, { binary });
      if (effect.kind === 'deliver') expectedMessages.push(...effect.messages);
      if (effect.kind === 'close') {
        fatal = effect;
        break;
      }
    }

    if (fatal !== null && fatal.kind === 'close') {
      const close = await closeFrame();
      if (!fatal.codes.includes(close.code)) {
        return `closed with ${close.code} ${JSON.stringify(close.reason)}, expected ${fatal.codes.join(' or ')}`;
      }
      if (fatal.reason !== undefined && close.reason !== fatal.reason) {
        return `closed with reason ${JSON.stringify(close.reason)}, expected ${JSON.stringify(fatal.reason)}`;
      }
      while ((await read(0)) !== null) {}
    } else if (ECHO_PREFIXES.has(test.prefix)) {
      while (received.length < expectedMessages.length) {
        if ((await read(ANSWER_MS)) === null) break;
      }
    } else {
      while ((await read(200)) !== null) {}
    }

    if (ECHO_PREFIXES.has(test.prefix)) {
      const prefixOnly = fatal !== null;
      const got = JSON.stringify(received);
      const want = JSON.stringify(prefixOnly ? expectedMessages.slice(0, received.length) : expectedMessages);
      if (got !== want) return `echo mismatch: got ${got.slice(0, 300)}, expected ${want.slice(0, 300)}`;
    }
    if (fatal === null && ws.socket.readyState !== ws.socket.OPEN) {
      return `the server closed a session that sent nothing wrong (${(await ws.closed).code})`;
    }
    return null;
  } catch (error) {
    return (error as Error).message;
  } finally {
    ws.terminate();
  }
}

export interface FuzzSuiteOptions {
  /**
   * Compare the server's memory before and after (default true). Off for Workers: every
   * session is a Durable Object, which workerd keeps in memory for a while after its last
   * event, so its RSS says nothing at this time scale; the session expiry check still runs.
   */
  memory?: boolean;
}

export function defineFuzzSuite(target: ConformanceTarget, { memory = true }: FuzzSuiteOptions = {}): void {
  const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const caps = capabilitiesOf(target);

  describe(`fuzz: ${target.name} (seed ${seed}; FUZZ_SEED=${seed} replays it)`, () => {
    let server: RunningServer;
    let baselineMiB: number | null = null;
    /** Session paths the fuzz may have opened a session at. */
    const sessions = new Set<string>();
    before(async () => {
      server = await target.start({
        SOCKJS_HEARTBEAT_DELAY: String(HEARTBEAT_MS),
        SOCKJS_DISCONNECT_DELAY: String(DISCONNECT_MS),
      });
    });
    after(() => server?.stop());

    it(`answers ${HTTP_RUNS} random HTTP requests with the protocol's answers, none of them hanging`, async (t) => {
      const requests = fc.sample(fuzzRequest, { numRuns: HTTP_RUNS, seed });
      const failures: string[] = [];
      const statuses = new Map<string, number>();
      const own = new URL(server.url).origin;
      const warmUp = Math.ceil(requests.length / 10);
      let index = 0;
      const run = async (request: FuzzRequest) => {
        const outcome = await execute(server.url, request, own);
        const label = outcome.kind === 'response' ? String(outcome.status) : outcome.kind;
        statuses.set(label, (statuses.get(label) ?? 0) + 1);
        const problem = judge(request, outcome, caps);
        if (problem !== null) failures.push(`#${index} ${problem}\n    ${describeRequest(request)}`);
        const segment = request.session?.segment;
        if (segment !== undefined && /^[^/.?#]+$/.test(segment) && !request.target.includes('?#')) {
          sessions.add(`${request.session!.prefix}/000/${segment}`);
        }
        index++;
      };
      await pool(requests.slice(0, warmUp), CONCURRENCY, run);
      baselineMiB = memory ? treeRssMiB(server.pid) : null;
      await pool(requests.slice(warmUp), CONCURRENCY, run);
      t.diagnostic(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
      assert.ok(isAlive(server.pid), 'the server process is still running');
      assert.deepEqual(
        failures,
        [],
        `${failures.length} of ${requests.length} requests were answered wrongly`,
      );
    });

    it(`plays ${WEBSOCKET_RUNS} random WebSocket sessions: right handshakes, valid frames, exact echoes, documented closes`, async () => {
      const cases = fc.sample(fuzzWebSocketCase, { numRuns: WEBSOCKET_RUNS, seed: seed + 1 });
      const failures: string[] = [];
      let index = 0;
      await pool(cases, CONCURRENCY, async (test) => {
        const number = index++;
        const problem = await playWebSocket(server.url, test, `ws${number}`, caps);
        if (problem !== null) {
          const frames = test.frames.map((frame) => frame.kind).join(',');
          failures.push(
            `#${number} ${problem}\n    ${test.raw ? 'raw' : 'framed'} ${test.prefix} token=${test.token} origin=${test.origin} frames=[${frames}]`,
          );
        }
      });
      assert.ok(isAlive(server.pid), 'the server process is still running');
      assert.deepEqual(failures, [], `${failures.length} of ${cases.length} sessions went wrong`);
    });

    it('is still there afterwards: the greeting, every fuzzed session expired, memory near its warm-up level', async (t) => {
      for (const prefix of PREFIXES) {
        const greeting = await fetch(`${server.url}${prefix}`);
        assert.equal(await greeting.text(), 'Welcome to SockJS!\n', `${prefix}: greeting`);
      }
      // Sessions end `disconnectDelay` after their last receiver. workerd notices a dropped
      // response only when writes to it (heartbeats) fail, which under load took over 10 s once;
      // the check ends as soon as every session is gone.
      const started = Date.now();
      const deadline =
        started + 2 * HEARTBEAT_MS + DISCONNECT_MS + (caps.promptAbortDetection === true ? 10_000 : 30_000);
      let alive = [...sessions];
      let answers: string[] = [];
      while (alive.length > 0 && Date.now() < deadline) {
        await delay(500);
        const still: string[] = [];
        answers = [];
        await pool(alive, CONCURRENCY, async (base) => {
          const response = await fetch(`${server.url}${base}/xhr_send`, { method: 'POST', body: '["x"]' });
          await response.arrayBuffer();
          if (response.status === 404) return;
          // A fuzzed session id too long for the platform's request line (Node 431, Deno 400):
          // the platform refuses every request for it, so no session can exist under it either.
          if (base.length > 8 * 1024 && [400, 414, 431].includes(response.status)) return;
          still.push(base);
          answers.push(`${base.slice(0, 80)}: ${response.status}`);
        });
        alive = still;
      }
      assert.deepEqual(
        answers,
        [],
        'sessions still there (a send to them is not the 404) long after the fuzz',
      );
      const afterMiB = memory ? treeRssMiB(server.pid) : null;
      const rss =
        afterMiB === null
          ? 'memory not compared'
          : `RSS after warm-up ${baselineMiB?.toFixed(1)} MiB, after the run ${afterMiB.toFixed(1)} MiB`;
      const expiredIn = ((Date.now() - started) / 1000).toFixed(1);
      t.diagnostic(`${sessions.size} session paths expired (all gone ${expiredIn} s after the run); ${rss}`);
      if (baselineMiB !== null && afterMiB !== null) {
        assert.ok(
          afterMiB - baselineMiB < RSS_GROWTH_LIMIT_MIB,
          `RSS grew by ${(afterMiB - baselineMiB).toFixed(1)} MiB (limit ${RSS_GROWTH_LIMIT_MIB})`,
        );
      }
    });

    defineFuzzRegressions(() => server.url, caps, DISCONNECT_MS, HEARTBEAT_MS);
  });
}
