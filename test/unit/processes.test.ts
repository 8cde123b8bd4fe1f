/**
 * `cluster/processes.ts`, which starts every child process of the cluster, the tests and the
 * benchmark: readiness by output (and from which stream), the output kept, the errors when a
 * child is not ready, and the stop that escalates to SIGKILL. Real `node -e` children.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startProcess } from '../../cluster/processes.ts';

const node = (script: string) => ({ name: 'child', command: process.execPath, args: ['-e', script] });
const STAY = 'setInterval(() => {}, 1000);';

describe('startProcess', () => {
  it('is ready when stdout or stderr matches, and returns the match', async () => {
    const child = await startProcess({ ...node(`console.error('up at 42'); ${STAY}`), ready: /up at (\d+)/ });
    try {
      assert.equal(child.match?.[1], '42');
      assert.equal(child.running, true);
    } finally {
      await child.stop();
    }
    assert.equal(child.running, false);
  });

  it("with readyFrom 'stdout', ignores a match on stderr", async () => {
    const started = startProcess(
      { ...node(`console.error('up at 42'); ${STAY}`), ready: /up at (\d+)/, readyFrom: 'stdout' },
      500,
    );
    // Stopped if it is wrongly ready, so the assertion fails instead of the child staying.
    await assert.rejects(
      started.then((child) => child.stop()),
      /child: not ready within 500 ms\n.*\nup at 42/,
    );
  });

  it('rejects with its output when it exits before it is ready, or cannot be spawned', async () => {
    await assert.rejects(
      startProcess({ ...node(`console.error('boom'); process.exit(3);`), ready: /never/ }),
      /child: exited before it was ready \(code 3, signal null\)\n.*\nboom/,
    );
    await assert.rejects(
      startProcess({ name: 'missing', command: '/nonexistent/binary', args: [] }),
      /missing: could not start: spawn \/nonexistent\/binary ENOENT/,
    );
  });

  it('keeps the last outputLimit characters, or the first with keepOutput first', async () => {
    const script = `console.log('start'); console.log('x'.repeat(5000)); console.log('ready'); ${STAY}`;
    const last = await startProcess({ ...node(script), ready: /ready/, outputLimit: 100 });
    const first = await startProcess({
      ...node(script),
      ready: /ready/,
      outputLimit: 100,
      keepOutput: 'first',
    });
    try {
      assert.equal(last.output().length, 100);
      assert.match(last.output(), /x+\nready\n$/);
      assert.equal(first.output().length, 100);
      assert.match(first.output(), /^start\nx+$/);
    } finally {
      await Promise.all([last.stop(), first.stop()]);
    }
  });

  it('passes env, removes NODE_TEST_CONTEXT and unsetEnv names', async () => {
    const child = await startProcess({
      ...node(`console.log(JSON.stringify([process.env.A, process.env.B, process.env.NODE_TEST_CONTEXT]));`),
      env: { A: 'a', B: 'b', NODE_TEST_CONTEXT: 'child' },
      unsetEnv: ['B'],
      ready: /\n/,
    });
    await child.exited;
    assert.equal(child.output(), '["a",null,null]\n');
  });

  it('stop() sends SIGTERM, then SIGKILL after the grace period', async () => {
    const polite = await startProcess({ ...node(`console.log('ready'); ${STAY}`), ready: /ready/ });
    await polite.stop();
    assert.deepEqual(await polite.exited, { code: null, signal: 'SIGTERM' });

    const stubborn = await startProcess({
      ...node(`process.on('SIGTERM', () => {}); console.log('ready'); ${STAY}`),
      ready: /ready/,
    });
    const started = Date.now();
    await stubborn.stop(300);
    assert.ok(Date.now() - started >= 250, 'waited for the grace period');
    assert.deepEqual(await stubborn.exited, { code: null, signal: 'SIGKILL' });
  });
});
