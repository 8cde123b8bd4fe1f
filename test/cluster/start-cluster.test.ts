/**
 * `npm run start:cluster` as a user runs it (`node --import tsx cluster/start.ts`): it prints the
 * URL, the cluster serves the demo there, and SIGINT or SIGTERM stops every process it started
 * (Redis, the three backends, HAProxy): none is left behind, also when npm, which runs it
 * under `sh -c`, is the process signalled.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { repoRoot } from '../../cluster/cluster.ts';
import { freePort, startProcess } from '../../cluster/processes.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function runAndStop(signal: NodeJS.Signals, viaNpm = false): Promise<void> {
  const port = await freePort();
  const [command, args] = viaNpm
    ? ['npm', ['run', '--silent', 'start:cluster']]
    : [process.execPath, ['--import', 'tsx', 'cluster/start.ts']];
  const child = await startProcess({
    name: 'start:cluster',
    command,
    args,
    cwd: repoRoot,
    env: { PORT: String(port), HOST: '127.0.0.1' },
    unsetEnv: ['REDIS_URL'],
    ready: /SockJS cluster listening on (\S+)/,
    // Everything it prints at start: the pids of the processes it started are read from it.
    keepOutput: 'first',
    outputLimit: 1_000_000,
  });
  const output = () => child.output();
  try {
    const url = child.match![1]!;
    assert.equal(url, `http://127.0.0.1:${port}`);
    const greeting = await fetch(`${url}/echo`);
    assert.equal(await greeting.text(), 'Welcome to SockJS!\n');
    const pids = [...output().matchAll(/pid (\d+)/g)].map((match) => Number(match[1]));
    assert.equal(pids.length, 6, `pids of the supervisor, redis, node, deno, bun, haproxy in:\n${output()}`);
    assert.ok(pids.every(alive));

    child.kill(signal);
    const { code } = await child.exited;
    if (!viaNpm) assert.equal(code, 0, output());
    // npm exits at once; the cluster notices that its launcher is gone and stops.
    const deadline = Date.now() + 15_000;
    while (pids.some(alive) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(pids.filter(alive), [], `processes left after ${signal}:\n${output()}`);
  } finally {
    child.kill('SIGKILL');
  }
}

describe('npm run start:cluster', () => {
  it('prints its URL, serves the demo there, and SIGTERM leaves no process behind', () =>
    runAndStop('SIGTERM'));
  it('SIGINT leaves no process behind', () => runAndStop('SIGINT'));
  it('SIGTERM to npm run start:cluster, which does not pass it on, leaves no process behind', () =>
    runAndStop('SIGTERM', true));
});
