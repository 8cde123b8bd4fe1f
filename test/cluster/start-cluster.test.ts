/**
 * `npm run start:cluster` as a user runs it (`node --import tsx cluster/start.ts`): it prints the
 * URL, the cluster serves the demo there, and SIGINT or SIGTERM stops every process it started
 * (Redis, the three backends, HAProxy): none is left behind, also when npm, which runs it
 * under `sh -c`, is the process signalled.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { repoRoot } from '../../cluster/cluster.ts';
import { freePort } from '../../cluster/processes.ts';

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
  const env: Record<string, string | undefined> = { ...process.env, PORT: String(port), HOST: '127.0.0.1' };
  delete env['NODE_TEST_CONTEXT'];
  delete env['REDIS_URL'];
  const [command, args] = viaNpm
    ? ['npm', ['run', '--silent', 'start:cluster']]
    : [process.execPath, ['--import', 'tsx', 'cluster/start.ts']];
  const child = spawn(command, args, {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    output += text;
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    output += text;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 30_000;
    while (!/SockJS cluster listening on (\S+)/.test(output)) {
      assert.ok(Date.now() < deadline, `no listening line:\n${output}`);
      assert.equal(child.exitCode, null, `exited early:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const url = /SockJS cluster listening on (\S+)/.exec(output)![1]!;
    assert.equal(url, `http://127.0.0.1:${port}`);
    const greeting = await fetch(`${url}/echo`);
    assert.equal(await greeting.text(), 'Welcome to SockJS!\n');
    const pids = [...output.matchAll(/pid (\d+)/g)].map((match) => Number(match[1]));
    assert.equal(pids.length, 6, `pids of the supervisor, redis, node, deno, bun, haproxy in:\n${output}`);
    assert.ok(pids.every(alive));

    child.kill(signal);
    const code = await exited;
    if (!viaNpm) assert.equal(code, 0, output);
    // npm exits at once; the cluster notices that its launcher is gone and stops.
    const deadline2 = Date.now() + 15_000;
    while (pids.some(alive) && Date.now() < deadline2)
      await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(pids.filter(alive), [], `processes left after ${signal}:\n${output}`);
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
