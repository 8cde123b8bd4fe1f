/**
 * The core's own cost per request, without sockets: real `Request`s handed to a server's Fetch
 * handler in a loop, on whichever runtime runs this file (Node via tsx, Deno, Bun). Measures a
 * session open (an xhr poll answered with `o`) and a round trip of an existing session
 * (`xhr_send` of one message, then the xhr poll that takes the echo).
 *
 *   node --import tsx bench/micro/core-request.ts
 *   deno run -A bench/micro/core-request.ts      bun bench/micro/core-request.ts
 *
 * CPU time per operation of the whole process (wall time too): compare runs of one runtime, side
 * by side, on a quiet machine; on a loaded one, take the least of several runs.
 */
import process from 'node:process';
import { SockJSServer } from '../../src/index.ts';

const OPENS = Number(process.env.OPENS ?? 20000);
const ROUNDS = Number(process.env.ROUNDS ?? 20000);
const BASE = 'http://127.0.0.1:8080/echo/000';

const server = new SockJSServer({ prefix: '/echo', disconnectDelay: 60_000 });
server.addEventListener('connection', ({ connection }) => {
  connection.addEventListener('message', (event) => connection.send(event.data));
});
const runtime = () => ({ remoteAddress: '127.0.0.1' });

async function open(id: string): Promise<void> {
  const response = await server.fetch(new Request(`${BASE}/${id}/xhr`, { method: 'POST' }), runtime());
  const body = await response.text();
  if (body !== 'o\n') throw new Error(`open answered ${body}`);
}

async function roundTrip(id: string): Promise<void> {
  const sent = await server.fetch(
    new Request(`${BASE}/${id}/xhr_send`, { method: 'POST', body: '["x"]' }),
    runtime(),
  );
  if (sent.status !== 204) throw new Error(`xhr_send answered ${sent.status}`);
  const polled = await server.fetch(new Request(`${BASE}/${id}/xhr`, { method: 'POST' }), runtime());
  const body = await polled.text();
  if (body !== 'a["x"]\n') throw new Error(`poll answered ${body}`);
}

async function measure(name: string, count: number, run: (i: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < Math.min(2000, count); i++) await run(-1 - i);
  const start = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < count; i++) await run(i);
  const wall = ((performance.now() - start) * 1000) / count;
  const used = process.cpuUsage(cpu);
  const us = (used.user + used.system) / count;
  console.log(`${name}: cpu ${us.toFixed(2)} µs, wall ${wall.toFixed(2)} µs`);
}

// Round trips first: the opens leave thousands of sessions behind (closed, awaiting their
// disconnect delay), whose heap would weigh on every later measurement.
await open('rt');
await measure('xhr_send + poll', ROUNDS, async () => roundTrip('rt'));
let serial = 0;
await measure('open', OPENS, async () => open(`o${serial++}`));
server.closeAll();
process.exit(0);
