/** `latest.md`: the targets, then one table per scenario, then how the numbers were taken. */
import type { BenchResults, CellSummary } from '../results.ts';
import { median } from '../stats.ts';
import { bytes, fmt, ratio, sig } from './format.ts';

function targetLines(results: BenchResults): string[] {
  const lines = ['| Target | Ratio | Limit | Met |', '|---|---|---|---|'];
  for (const target of results.targets) {
    const met = target.met === null ? 'not measured' : target.met ? '**yes**' : '**no**';
    const limit = `${target.atLeast === true ? '≥' : '≤'} ${target.limit}x`;
    lines.push(`| ${target.description} | ${ratio(target.ratio)} | ${limit} | ${met} |`);
  }
  return lines;
}

function scenarioLines(results: BenchResults, scenario: BenchResults['scenarios'][number]): string[] {
  const cells = results.summary.filter((cell) => cell.scenario === scenario.id);
  if (cells.length === 0) return [];
  const memory = cells.some((cell) => Number.isFinite(cell.rssPerSessionBytes));
  const limit = cells.some((cell) => cell.server.startsWith('plain-ws/'));
  const floor = cells.some((cell) => cell.server.startsWith('http-floor/'));
  const header = [
    'Server',
    `${scenario.op}/s`,
    `CPU µs/${scenario.op}`,
    'CPU vs sockjs-node',
    ...(limit ? ['CPU vs plain ws'] : []),
    ...(floor ? ['CPU vs floor'] : []),
    'p50 ms',
    'p99 ms',
    ...(memory ? ['RSS/session', 'RSS vs sockjs-node'] : []),
    'spread CPU / rate',
    'runs',
  ];
  const row = (cell: CellSummary) => [
    `\`${cell.server}\``,
    fmt(cell.throughput),
    sig(cell.cpuUsPerOp),
    ratio(cell.cpuRatioToSockjsNode),
    ...(limit ? [ratio(cell.cpuRatioToPlainWs)] : []),
    ...(floor ? [ratio(cell.cpuRatioToFloor)] : []),
    sig(cell.latencyP50Ms),
    sig(cell.latencyP99Ms),
    ...(memory ? [bytes(cell.rssPerSessionBytes), ratio(cell.rssRatioToSockjsNode)] : []),
    `±${fmt(cell.cpuSpreadPercent / 2)}% / ±${fmt(cell.throughputSpreadPercent / 2)}%`,
    cell.failures > 0 ? `${cell.runs} (+${cell.failures} failed)` : String(cell.runs),
  ];
  return [
    `### ${scenario.title}`,
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...cells.map((cell) => `| ${row(cell).join(' | ')} |`),
    '',
  ];
}

export function renderMarkdown(results: BenchResults): string {
  const m = results.machine;
  const failures = results.runs.filter((run) => !run.ok);
  const skipped = results.servers.filter((server) => server.skipped !== undefined);
  const retried = results.runs.filter((run) => (run.attempts ?? 1) > 1).length;
  const windowLoads = results.runs
    .map((run) => run.measurement?.otherLoadCores)
    .filter((value): value is number => value !== undefined && Number.isFinite(value));
  const lines = [
    '# sockjs-fetch benchmarks',
    '',
    `${results.quick ? 'Quick smoke run' : 'Full run'} of ${results.startedAt}: ${results.rounds} round(s), each scenario ` +
      `run against each server in turn, a fresh server process per run; medians of the rounds. ` +
      `Measured window ${fmt(results.sizes['windowMs']! / 1000, 1)} s after ${fmt(results.sizes['warmupMs']! / 1000, 1)} s of warm-up.`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${fmt(m.memoryGiB)} GiB, Linux ${m.kernel}; Node ${m.node}` +
      Object.entries(m.runtimes)
        .map(([name, version]) => `, ${name} ${version}`)
        .join('') +
      `. Load generator and servers share the machine. Load average ${m.loadAverageStart.map((v) => v.toFixed(2)).join(' ')} ` +
      `at the start, ${m.loadAverageEnd.map((v) => v.toFixed(2)).join(' ')} at the end.`,
    '',
    `Noise: each run waits (up to 15 s) for the rest of the machine to use under 0.25 cores, and is ` +
      `repeated (up to 3 times, the quietest kept) when other processes used more than 0.5 cores during ` +
      `its window (15 minutes of waiting and repeating at most per bench). ${retried} of ${results.runs.length} runs were repeated; other processes used ` +
      `${fmt(median(windowLoads), 2)} cores in the median window, ${fmt(Math.max(0, ...windowLoads), 2)} at most.`,
    '',
    `Reproduce: \`${results.command}\``,
    '',
    "**CPU µs/op** is the server's whole process tree (utime + stime from /proc) over the window, divided by the " +
      'operations completed in it. Ratios are taken within each round and then the median is reported. ' +
      '"spread" is ±half the (max − min) / median range across rounds. "vs plain ws" is against a plain ' +
      'WebSocket echo server on the same runtime, "vs floor" against the `http-floor` server of the same runtime ' +
      '(bench/servers/floor-*.ts: the least code that answers the HTTP scenarios, with no Fetch layer on Node).',
    '',
    '## Targets (sockjs-fetch on Node unless another runtime is named)',
    '',
    ...targetLines(results),
    '',
    '## Results',
    '',
    ...results.scenarios.flatMap((scenario) => scenarioLines(results, scenario)),
  ];
  if (skipped.length > 0) {
    lines.push(
      '## Servers not run',
      '',
      ...skipped.map((server) => `- \`${server.id}\`: ${server.skipped}`),
      '',
    );
  }
  if (failures.length > 0) {
    lines.push(
      '## Failed runs',
      '',
      ...failures.map(
        (run) => `- round ${run.round}, ${run.scenario} on \`${run.server}\`: ${run.error?.split('\n')[0]}`,
      ),
      '',
    );
  }
  return lines.join('\n');
}
