/**
 * A connection's events: `SockJSConnection` keeps its own listener list instead of being an
 * `EventTarget` (which costs two Maps per connection on Node), with an `EventTarget`'s rules.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectionHooks, type SockJSConnection } from '../../src/connection.ts';
import type { SockJSCloseEvent } from '../../src/events.ts';
import { ReadyState } from '../../src/ready-state.ts';

function newConnection(): SockJSConnection {
  return connectionHooks.create(
    { readyState: ReadyState.OPEN, send: () => true, close: () => true },
    { protocol: 'test', prefix: '/echo' },
  );
}

describe('SockJSConnection events', () => {
  it('calls listeners in order, with the connection as this, target and currentTarget', () => {
    const connection = newConnection();
    const seen: string[] = [];
    connection.onmessage = (event) => seen.push(`onmessage ${event.data} ${event.target === connection}`);
    connection.addEventListener('message', function (this: SockJSConnection, event) {
      seen.push(`1 ${event.data} ${this === connection} ${event.target === connection}`);
      assert.equal(event.currentTarget, connection);
      assert.ok(event instanceof MessageEvent);
    });
    const object = {
      handleEvent(event: Event) {
        seen.push(`2 ${(event as MessageEvent).data} ${this === object}`);
      },
    };
    connection.addEventListener('message', object);
    connectionHooks.message(connection, 'hi');
    assert.deepEqual(seen, ['onmessage hi true', '1 hi true true', '2 hi true']);
  });

  it('ignores duplicates, tells capture listeners apart, removes, and honours once and signal', () => {
    const connection = newConnection();
    const calls: string[] = [];
    const listener = () => calls.push('plain');
    connection.addEventListener('message', listener);
    connection.addEventListener('message', listener);
    connection.addEventListener('message', listener, true);
    connection.addEventListener('message', () => calls.push('once'), { once: true });
    const controller = new AbortController();
    connection.addEventListener('message', () => calls.push('signal'), { signal: controller.signal });
    connection.addEventListener('message', () => calls.push('never'), { signal: AbortSignal.abort() });
    connectionHooks.message(connection, 'a');
    assert.deepEqual(calls, ['plain', 'plain', 'once', 'signal']);
    calls.length = 0;
    controller.abort();
    connection.removeEventListener('message', listener, { capture: true });
    connectionHooks.message(connection, 'b');
    assert.deepEqual(calls, ['plain']);
    calls.length = 0;
    connection.removeEventListener('message', listener);
    connectionHooks.message(connection, 'c');
    assert.deepEqual(calls, []);
  });

  it('skips a listener removed during a dispatch and one added during it', () => {
    const connection = newConnection();
    const calls: string[] = [];
    const second = () => calls.push('second');
    connection.addEventListener('message', () => {
      calls.push('first');
      connection.removeEventListener('message', second);
      connection.addEventListener('message', () => calls.push('added'));
    });
    connection.addEventListener('message', second);
    connectionHooks.message(connection, 'x');
    assert.deepEqual(calls, ['first']);
  });

  it('stops at stopImmediatePropagation', () => {
    const connection = newConnection();
    const calls: string[] = [];
    connection.addEventListener('close', (event) => {
      calls.push('first');
      event.stopImmediatePropagation();
    });
    connection.addEventListener('close', () => calls.push('second'));
    connectionHooks.closed(connection, { code: 1000, reason: 'bye', wasClean: true });
    assert.deepEqual(calls, ['first']);
  });

  it('reports a throwing listener as uncaught and still calls the others', () => {
    const connection = newConnection();
    const reported: Array<() => void> = [];
    const original = globalThis.queueMicrotask;
    globalThis.queueMicrotask = (callback) => reported.push(callback);
    const closes: SockJSCloseEvent[] = [];
    try {
      connection.addEventListener('close', () => {
        throw new Error('boom');
      });
      connection.addEventListener('close', (event) => closes.push(event));
      connectionHooks.closed(connection, { code: 3000, reason: 'Go away!', wasClean: true });
    } finally {
      globalThis.queueMicrotask = original;
    }
    assert.equal(closes.length, 1);
    assert.deepEqual([closes[0]!.code, closes[0]!.reason, closes[0]!.target], [3000, 'Go away!', connection]);
    assert.equal(reported.length, 1);
    assert.throws(reported[0]!, /boom/);
  });

  it('dispatchEvent calls the listeners of any event and reports preventDefault', () => {
    const connection = newConnection();
    assert.equal(connection.dispatchEvent(new Event('custom')), true, 'no listeners yet');
    connection.addEventListener('custom', (event) => event.preventDefault());
    assert.equal(connection.dispatchEvent(new Event('custom', { cancelable: true })), false);
  });
});
