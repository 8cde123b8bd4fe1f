import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { DeadlineQueue } from '../../src/deadlines.ts';

describe('DeadlineQueue', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'] }));
  afterEach(() => mock.timers.reset());

  it('expires each item a delay after it was last set, in order, with one timer', () => {
    const expired: string[] = [];
    const queue = new DeadlineQueue<string>(1000, (item) => expired.push(item), false);
    queue.set('a');
    mock.timers.tick(300);
    queue.set('b');
    mock.timers.tick(300);
    queue.set('a'); // again: now due at 1600
    queue.set('c');
    queue.delete('c');
    mock.timers.tick(699);
    assert.deepEqual(expired, []);
    mock.timers.tick(1);
    assert.deepEqual(expired, ['b']);
    mock.timers.tick(299);
    assert.deepEqual(expired, ['b']);
    mock.timers.tick(1);
    assert.deepEqual(expired, ['b', 'a']);
    mock.timers.tick(10_000);
    assert.deepEqual(expired, ['b', 'a'], 'a deleted item never expires');
  });

  it('items set again while expiring wait a full delay; a throwing expire leaves the rest due', () => {
    const expired: string[] = [];
    const queue = new DeadlineQueue<string>(
      100,
      (item) => {
        expired.push(item);
        if (item === 'boom') throw new Error('boom');
        if (expired.length === 1) queue.set(item);
      },
      false,
    );
    queue.set('a');
    queue.set('boom');
    queue.set('b');
    assert.throws(() => mock.timers.tick(100), /boom/);
    assert.deepEqual(expired, ['a', 'boom']);
    mock.timers.tick(0);
    assert.deepEqual(expired, ['a', 'boom', 'b'], 'b, due, still expires');
    mock.timers.tick(100);
    assert.deepEqual(expired, ['a', 'boom', 'b', 'a']);
    mock.timers.tick(1000);
    assert.deepEqual(expired, ['a', 'boom', 'b', 'a']);
  });
});
