/**
 * DeadlineQueue with real timers: a queue that empties keeps its timer, unref'd, for the next
 * `set` (no timer created and cancelled per request), yet neither expires anything early nor
 * keeps a process alive.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { DeadlineQueue } from '../../src/deadlines.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('DeadlineQueue, emptied and set again', () => {
  it('expires an item set after the queue emptied a full delay after its set, not at the kept timer', async () => {
    const expired: string[] = [];
    const queue = new DeadlineQueue<string>(100, (item) => expired.push(item), false);
    queue.set('a');
    queue.delete('a');
    await sleep(60);
    const setAt = Date.now();
    queue.set('b');
    await sleep(70); // the kept timer (armed for 'a') has fired by now
    assert.deepEqual(expired, [], 'b is not due before 100 ms after its set');
    while (expired.length === 0 && Date.now() - setAt < 1000) await sleep(5);
    assert.deepEqual(expired, ['b']);
    assert.ok(Date.now() - setAt >= 99, `b expired ${Date.now() - setAt} ms after its set`);
  });

  it('lets a process exit while its queue is empty, even a queue that is not a background one', () => {
    const script = `
      import { DeadlineQueue } from ${JSON.stringify(new URL('../../src/deadlines.ts', import.meta.url).href)};
      const queue = new DeadlineQueue(30000, () => {}, false);
      queue.set('a');
      queue.delete('a');`;
    const started = Date.now();
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      timeout: 20000,
    });
    assert.equal(child.status, 0, String(child.stderr));
    assert.ok(Date.now() - started < 15000, 'exited without waiting for the 30 s timer');
  });
});
