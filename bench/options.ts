/**
 * Command line of `npm run bench`:
 *   --quick              a smoke run: one short round with small counts, written to
 *                        bench/results/quick/ unless --out says otherwise (CI runs this)
 *   --rounds N           repeated rounds, each running every scenario on every server (default 3)
 *   --window S           seconds measured per run (default 5; quick 1)
 *   --warmup S           seconds of load before the window (default 1.5; quick 0.2)
 *   --servers a,b        only servers whose id contains one of these
 *   --scenarios a,b      only scenarios whose id contains one of these
 *   --idle-sessions N    idle WebSocket sessions (default 10000; quick 500)
 *   --cpu-prof           node servers write V8 CPU profiles to <out>/profiles/
 *   --compare DIR        also run the Node server of another checkout (e.g. the last commit, with
 *                        node_modules linked in), interleaved with this one: before/after numbers
 *   --out DIR            where latest.{json,md,svg} go (default bench/results)
 *   --no-quiet           do not wait for a quiet machine nor repeat noisy runs (A/B runs while
 *                        other work shares the machine: compare within one run only)
 * Any failed run, or a server that cannot run on this machine, makes the exit code 1.
 */
import { parseArgs } from 'node:util';
import type { Sizes } from './scenario.ts';

export interface BenchOptions {
  quick: boolean;
  rounds: number;
  sizes: Sizes;
  servers: string[];
  scenarios: string[];
  cpuProf: boolean;
  compare: string | undefined;
  outDir: string;
  /** Wait for a quiet machine before each run and repeat noisy ones. */
  quiet: boolean;
}

const FULL: Sizes = {
  warmupMs: 1500,
  windowMs: 5000,
  pipelineConnections: 4,
  pipelineDepth: 32,
  httpSessions: 8,
  eventsourceReceivers: 100,
  broadcastSessions: 1000,
  openers: 16,
  idleSessions: 10_000,
  handshakeConcurrency: 64,
};

const QUICK: Sizes = {
  warmupMs: 200,
  windowMs: 1000,
  pipelineConnections: 2,
  pipelineDepth: 16,
  httpSessions: 4,
  eventsourceReceivers: 20,
  broadcastSessions: 100,
  openers: 8,
  idleSessions: 500,
  handshakeConcurrency: 32,
};

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`--${name} must be a positive number, got ${text}`);
  return value;
}

const list = (text: string | undefined) => (text ?? '').split(',').filter((item) => item !== '');

export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      window: { type: 'string' },
      warmup: { type: 'string' },
      servers: { type: 'string' },
      scenarios: { type: 'string' },
      'idle-sessions': { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      compare: { type: 'string' },
      out: { type: 'string' },
      'no-quiet': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const quick = values.quick === true;
  const base = quick ? QUICK : FULL;
  const sizes: Sizes = {
    ...base,
    windowMs: positive('window', values.window, base.windowMs / 1000) * 1000,
    warmupMs: positive('warmup', values.warmup, base.warmupMs / 1000) * 1000,
    idleSessions: Math.round(positive('idle-sessions', values['idle-sessions'], base.idleSessions)),
  };
  // Every load loop stays bounded: at most 10,000 idle sessions and a minute per window.
  sizes.idleSessions = Math.min(sizes.idleSessions, 10_000);
  sizes.windowMs = Math.min(sizes.windowMs, 60_000);
  sizes.warmupMs = Math.min(sizes.warmupMs, 30_000);
  return {
    quick,
    rounds: Math.min(20, Math.round(positive('rounds', values.rounds, quick ? 1 : 3))),
    sizes,
    servers: list(values.servers),
    scenarios: list(values.scenarios),
    cpuProf: values['cpu-prof'] === true,
    compare: values.compare,
    outDir: values.out ?? (quick ? 'bench/results/quick' : 'bench/results'),
    quiet: values['no-quiet'] !== true,
  };
}
