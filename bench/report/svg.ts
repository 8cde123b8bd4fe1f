/**
 * `latest.svg`: server CPU per operation, one group of horizontal bars per scenario (each group
 * on its own scale, the value printed at the end of each bar), then memory per idle session.
 * Lower is better everywhere.
 */
import type { BenchResults, CellSummary } from '../results.ts';
import { BASELINE_SERVER } from '../servers.ts';
import { bytes, sig } from './format.ts';

const WIDTH = 960;
const LABEL = 190;
const BAR_MAX = 560;
const ROW = 18;
const GROUP_GAP = 26;

const COLORS: Record<string, string> = {
  'sockjs-fetch': '#2b7bb9',
  'sockjs-node': '#d9822b',
  'plain-ws': '#7a7a7a',
  'http-floor': '#7a7a7a',
};

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface Group {
  title: string;
  cells: CellSummary[];
  value: (cell: CellSummary) => number;
  label: (cell: CellSummary) => string;
  ratio: (cell: CellSummary) => number;
}

function renderGroup(group: Group, top: number): { parts: string[]; bottom: number } {
  const cells = group.cells.filter((cell) => Number.isFinite(group.value(cell)));
  if (cells.length === 0) return { parts: [], bottom: top };
  const max = Math.max(...cells.map(group.value));
  const parts = [`<text x="10" y="${top}" font-weight="bold">${escapeXml(group.title)}</text>`];
  let y = top + 8;
  for (const cell of cells) {
    const implementation = cell.server.split('/')[0]!;
    const width = Math.max(1, (group.value(cell) / max) * BAR_MAX);
    const ratio = group.ratio(cell);
    const note =
      Number.isFinite(ratio) && cell.server !== BASELINE_SERVER ? ` (${ratio.toFixed(2)}x sockjs-node)` : '';
    parts.push(
      `<text x="${LABEL - 8}" y="${y + 13}" text-anchor="end">${escapeXml(cell.server)}</text>`,
      `<rect x="${LABEL}" y="${y + 2}" width="${width.toFixed(1)}" height="${ROW - 4}" fill="${COLORS[implementation] ?? '#555'}"/>`,
      `<text x="${(LABEL + width + 6).toFixed(1)}" y="${y + 13}">${escapeXml(group.label(cell) + note)}</text>`,
    );
    y += ROW;
  }
  return { parts, bottom: y + GROUP_GAP };
}

export function renderSvg(results: BenchResults): string {
  const groups: Group[] = results.scenarios.map((scenario) => ({
    title: `${scenario.title} — server CPU µs per ${scenario.op}`,
    cells: results.summary.filter((cell) => cell.scenario === scenario.id),
    value: (cell) => cell.cpuUsPerOp,
    label: (cell) => `${sig(cell.cpuUsPerOp)} µs`,
    ratio: (cell) => cell.cpuRatioToSockjsNode,
  }));
  groups.push({
    title: 'idle WebSocket sessions — server resident memory per session',
    cells: results.summary.filter((cell) => cell.scenario === 'idle-websockets'),
    value: (cell) => cell.rssPerSessionBytes,
    label: (cell) => bytes(cell.rssPerSessionBytes),
    ratio: (cell) => cell.rssRatioToSockjsNode,
  });
  const parts: string[] = [];
  let y = 56;
  for (const group of groups) {
    const rendered = renderGroup(group, y);
    parts.push(...rendered.parts);
    y = rendered.bottom;
  }
  const height = y + 10;
  const title =
    `sockjs-fetch benchmarks — ${results.startedAt.slice(0, 10)}, ${results.rounds} round(s)` +
    `${results.quick ? ', quick' : ''}; medians, lower is better`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="24" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
