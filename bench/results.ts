/**
 * The result file: every run, the per-cell medians of repeated runs, the ratios to sockjs-node,
 * to the plain WebSocket server and to the HTTP floor of the same runtime (each taken within one
 * round, then the median), and the targets of issues 6 and 15 with whether they are met.
 */
import type { Measurement } from './scenario.ts';
import { BASELINE_SERVER, floorFor, plainWsFor, type ServerSpec } from './servers.ts';
import { median, spreadPercent } from './stats.ts';

export interface RunRecord {
  round: number;
  scenario: string;
  server: string;
  ok: boolean;
  error?: string;
  measurement?: Measurement;
  /** Runs it took to get a window the rest of the machine left (nearly) alone. */
  attempts?: number;
  /** Cores the rest of the machine used just before the run. */
  otherLoadBefore?: number;
}

export interface CellSummary {
  scenario: string;
  server: string;
  runs: number;
  failures: number;
  throughput: number;
  cpuUsPerOp: number;
  clientCpuUsPerOp: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  rssPerSessionBytes: number;
  otherLoadCores: number;
  /** (max - min) / median of CPU per op across rounds, in percent. */
  cpuSpreadPercent: number;
  throughputSpreadPercent: number;
  /** Medians of the per-round ratios; NaN where there is no reference run. */
  cpuRatioToSockjsNode: number;
  throughputRatioToSockjsNode: number;
  rssRatioToSockjsNode: number;
  cpuRatioToPlainWs: number;
  cpuRatioToFloor: number;
}

export interface Target {
  description: string;
  scenario: string;
  server: string;
  reference: string;
  metric: 'cpuUsPerOp' | 'rssPerSessionBytes' | 'throughput' | 'latencyP99Ms';
  limit: number;
  /** The ratio must reach the limit (a throughput); otherwise it must stay under it. */
  atLeast?: boolean;
  /** Median per-round ratio server / reference; null when either was not measured. */
  ratio: number | null;
  met: boolean | null;
}

type Metric = Exclude<keyof Measurement, 'ops' | 'seconds'>;

const medianOf = (runs: RunRecord[], metric: Metric) =>
  median(
    runs.map((run) => run.measurement?.[metric]).filter((value): value is number => Number.isFinite(value)),
  );

function ratioByRound(
  runs: readonly RunRecord[],
  scenario: string,
  server: string,
  reference: string,
  metric: Metric,
): number {
  const ratios: number[] = [];
  const of = (id: string, round: number) =>
    runs.find((run) => run.ok && run.scenario === scenario && run.server === id && run.round === round)
      ?.measurement?.[metric];
  const rounds = new Set(runs.map((run) => run.round));
  for (const round of rounds) {
    const value = of(server, round);
    const base = of(reference, round);
    if (value !== undefined && base !== undefined && base > 0 && Number.isFinite(value))
      ratios.push(value / base);
  }
  return median(ratios);
}

export function summarize(
  runs: readonly RunRecord[],
  scenarios: readonly string[],
  servers: readonly ServerSpec[],
): CellSummary[] {
  const cells: CellSummary[] = [];
  for (const scenario of scenarios) {
    for (const server of servers) {
      const all = runs.filter((run) => run.scenario === scenario && run.server === server.id);
      if (all.length === 0) continue;
      const ok = all.filter((run) => run.ok);
      const values = (metric: Metric) =>
        ok.map((run) => run.measurement?.[metric]).filter((value): value is number => Number.isFinite(value));
      const ratio = (reference: string, metric: Metric) =>
        reference === server.id ? 1 : ratioByRound(runs, scenario, server.id, reference, metric);
      cells.push({
        scenario,
        server: server.id,
        runs: ok.length,
        failures: all.length - ok.length,
        throughput: medianOf(ok, 'throughput'),
        cpuUsPerOp: medianOf(ok, 'cpuUsPerOp'),
        clientCpuUsPerOp: medianOf(ok, 'clientCpuUsPerOp'),
        latencyP50Ms: medianOf(ok, 'latencyP50Ms'),
        latencyP99Ms: medianOf(ok, 'latencyP99Ms'),
        rssPerSessionBytes: medianOf(ok, 'rssPerSessionBytes'),
        otherLoadCores: medianOf(ok, 'otherLoadCores'),
        cpuSpreadPercent: spreadPercent(values('cpuUsPerOp')),
        throughputSpreadPercent: spreadPercent(values('throughput')),
        cpuRatioToSockjsNode: ratio(BASELINE_SERVER, 'cpuUsPerOp'),
        throughputRatioToSockjsNode: ratio(BASELINE_SERVER, 'throughput'),
        rssRatioToSockjsNode: ratio(BASELINE_SERVER, 'rssPerSessionBytes'),
        cpuRatioToPlainWs: ratio(plainWsFor(server.runtime), 'cpuUsPerOp'),
        cpuRatioToFloor: ratio(floorFor(server.runtime), 'cpuUsPerOp'),
      });
    }
  }
  return cells;
}

const OURS = 'sockjs-fetch/node';

type TargetSpec = Omit<Target, 'ratio' | 'met'>;

const cpu = (
  description: string,
  scenario: string,
  server: string,
  reference: string,
  limit: number,
): TargetSpec => ({ description, scenario, server, reference, metric: 'cpuUsPerOp', limit });

/** The HTTP scenarios, which every runtime's floor server answers. */
const HTTP_SCENARIOS = [
  ['xhr-streaming-echo', 'xhr-streaming: server CPU per message'],
  ['xhr-polling', 'xhr-polling: server CPU per round trip'],
  ['eventsource-delivery', 'eventsource: server CPU per delivery'],
  ['session-opens', 'session opens: server CPU per open'],
] as const;

const TARGETS: readonly TargetSpec[] = [
  cpu(
    'xhr-streaming: server CPU per message at most 1.2x the Node floor',
    'xhr-streaming-echo',
    OURS,
    floorFor('node'),
    1.2,
  ),
  cpu(
    'xhr-polling: server CPU per round trip at most 1.2x the Node floor',
    'xhr-polling',
    OURS,
    floorFor('node'),
    1.2,
  ),
  cpu(
    'eventsource: server CPU per delivery at most 0.8x sockjs-node',
    'eventsource-delivery',
    OURS,
    BASELINE_SERVER,
    0.8,
  ),
  cpu('broadcast: server CPU per delivery at most 0.8x sockjs-node', 'broadcast', OURS, BASELINE_SERVER, 0.8),
  cpu(
    'WebSocket echo (ping-pong): server CPU per message at most 1.1x plain ws',
    'websocket-echo',
    OURS,
    plainWsFor('node'),
    1.1,
  ),
  cpu(
    'WebSocket echo (pipelined): server CPU per message at most 1.15x plain ws',
    'websocket-pipelined',
    OURS,
    plainWsFor('node'),
    1.15,
  ),
  {
    description: 'idle WebSocket sessions: memory per session at most 0.6x sockjs-node',
    scenario: 'idle-websockets',
    server: OURS,
    reference: BASELINE_SERVER,
    metric: 'rssPerSessionBytes',
    limit: 0.6,
  },
  ...(['deno', 'bun'] as const).flatMap((runtime) =>
    HTTP_SCENARIOS.map(([scenario, what]) =>
      cpu(
        `${runtime === 'deno' ? 'Deno' : 'Bun'}, ${what} at most 1.3x the ${runtime === 'deno' ? 'Deno' : 'Bun'} floor`,
        scenario,
        `sockjs-fetch/${runtime}`,
        floorFor(runtime),
        1.3,
      ),
    ),
  ),
  {
    description: 'Deno, idle WebSocket sessions: memory per session at most 1.1x plain Deno',
    scenario: 'idle-websockets',
    server: 'sockjs-fetch/deno',
    reference: plainWsFor('deno'),
    metric: 'rssPerSessionBytes',
    limit: 1.1,
  },
  {
    description: 'Bun, WebSocket echo (pipelined): throughput at least 2x sockjs-node',
    scenario: 'websocket-pipelined',
    server: 'sockjs-fetch/bun',
    reference: BASELINE_SERVER,
    metric: 'throughput',
    limit: 2,
    atLeast: true,
  },
  {
    description: 'Bun, WebSocket echo (pipelined): p99 latency at most sockjs-node',
    scenario: 'websocket-pipelined',
    server: 'sockjs-fetch/bun',
    reference: BASELINE_SERVER,
    metric: 'latencyP99Ms',
    limit: 1,
  },
];

/**
 * "Nothing gets slower": with `--compare`, every scenario both Node servers ran, ours against the
 * compared checkout (CPU per operation; memory per session for idle sessions). The limit leaves
 * room for the noise of one run on a shared machine.
 */
const NO_REGRESSION_LIMIT = 1.1;

function regressionTargets(runs: readonly RunRecord[], comparison: string): TargetSpec[] {
  const scenarios = [...new Set(runs.map((run) => run.scenario))];
  const ran = (scenario: string, server: string) =>
    runs.some((run) => run.ok && run.scenario === scenario && run.server === server);
  return scenarios
    .filter((scenario) => ran(scenario, OURS) && ran(scenario, comparison))
    .map((scenario) => {
      const memory = scenario === 'idle-websockets';
      return {
        description: `${scenario}: ${memory ? 'memory per session' : 'server CPU per operation'} at most ${NO_REGRESSION_LIMIT}x \`${comparison}\``,
        scenario,
        server: OURS,
        reference: comparison,
        metric: memory ? 'rssPerSessionBytes' : 'cpuUsPerOp',
        limit: NO_REGRESSION_LIMIT,
      };
    });
}

/** `comparison`: the `--compare` server's id, whose figures are the baseline nothing may exceed. */
export function evaluateTargets(runs: readonly RunRecord[], comparison?: string): Target[] {
  const specs = comparison === undefined ? TARGETS : [...TARGETS, ...regressionTargets(runs, comparison)];
  return specs.map((target) => {
    const ratio = ratioByRound(runs, target.scenario, target.server, target.reference, target.metric);
    const known = Number.isFinite(ratio);
    const met = target.atLeast === true ? ratio >= target.limit : ratio <= target.limit;
    return { ...target, ratio: known ? ratio : null, met: known ? met : null };
  });
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  runtimes: Record<string, string>;
  loadAverageStart: number[];
  loadAverageEnd: number[];
}

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  command: string;
  quick: boolean;
  rounds: number;
  sizes: Record<string, number>;
  machine: MachineInfo;
  servers: Array<{ id: string; skipped?: string }>;
  scenarios: Array<{ id: string; title: string; op: string }>;
  targets: Target[];
  summary: CellSummary[];
  runs: RunRecord[];
}
