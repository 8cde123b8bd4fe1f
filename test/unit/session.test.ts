import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import type { SockJSConnection } from '../../src/connection.ts';
import type { SockJSCloseEvent } from '../../src/events.ts';
import { ReadyState } from '../../src/ready-state.ts';
import type { Receiver } from '../../src/receiver.ts';
import { Session } from '../../src/session.ts';

/** A receiver that records frames; `limit` frames make it report "full" like a polling response. */
class RecordingReceiver implements Receiver {
  readonly protocol = 'test';
  frames: string[] = [];
  closed = false;
  /** Set false to play a client that is not keeping up; `drain()` lets it catch up. */
  canWrite = true;
  #onWritable: (() => void) | null = null;
  constructor(readonly limit = Number.POSITIVE_INFINITY) {}
  writable(): boolean {
    return this.canWrite;
  }
  whenWritable(callback: () => void): void {
    this.#onWritable = callback;
  }
  drain(): void {
    this.canWrite = true;
    const callback = this.#onWritable;
    this.#onWritable = null;
    callback?.();
  }
  sendFrame(frame: string): boolean {
    assert.equal(this.closed, false, `frame ${frame} written after close`);
    this.frames.push(frame);
    return this.frames.length < this.limit;
  }
  close(): void {
    this.closed = true;
  }
}

const INFO = { url: 'http://x/echo/0/s/xhr', headers: {}, remoteAddress: '127.0.0.1' };

function newSession(onOpen: (connection: SockJSConnection) => void = () => {}) {
  const destroyed: Session[] = [];
  const session = new Session('test', {
    prefix: '/echo',
    heartbeatDelay: 25_000,
    disconnectDelay: 5_000,
    maxQueuedMessages: 3,
    maxQueuedBytes: 1000,
    onOpen,
    onDestroy: (s) => destroyed.push(s),
  });
  const closes: SockJSCloseEvent[] = [];
  session.connection.addEventListener('close', (event) => closes.push(event));
  return { session, destroyed, closes };
}

const flushMicrotasks = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe('Session', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'] }));
  afterEach(() => mock.timers.reset());

  it('sends the open frame once and announces the connection after it', () => {
    const order: string[] = [];
    const receiver = new RecordingReceiver();
    const { session } = newSession(() => order.push(`open after ${receiver.frames.join(',')}`));
    session.attach(receiver, INFO);
    assert.deepEqual(receiver.frames, ['o']);
    assert.deepEqual(order, ['open after o']);
    assert.equal(session.connection.readyState, ReadyState.OPEN);
    session.attach(new RecordingReceiver(), INFO);
    assert.deepEqual(receiver.frames, ['o']);
  });

  it('batches messages sent in one turn into a single a-frame', async () => {
    const receiver = new RecordingReceiver();
    const { session } = newSession();
    session.attach(receiver, INFO);
    session.connection.send('a');
    session.connection.send('b');
    await flushMicrotasks();
    assert.deepEqual(receiver.frames, ['o', 'a["a","b"]']);
  });

  it('flushes every session sent to in one turn with one frame each; a send after that flush starts a new frame; a receiver that throws holds up no other session', async () => {
    const receivers = [new RecordingReceiver(), new RecordingReceiver(), new RecordingReceiver()];
    const sessions = receivers.map((receiver) => {
      const { session } = newSession();
      session.attach(receiver, INFO);
      return session;
    });
    const thrown: unknown[] = [];
    const onRejection = (error: unknown) => thrown.push(error);
    // The test runner's own listeners would fail the file on the rejection this test expects.
    const runnerListeners = process.listeners('unhandledRejection');
    process.removeAllListeners('unhandledRejection');
    process.on('unhandledRejection', onRejection);
    try {
      const failing = receivers[1]!;
      failing.sendFrame = () => {
        throw new Error('receiver failed');
      };
      for (const session of sessions) session.connection.send('a');
      for (const session of sessions) session.connection.send('b');
      await flushMicrotasks();
      sessions[0]!.connection.send('c');
      await flushMicrotasks();
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(receivers[0]!.frames, ['o', 'a["a","b"]', 'a["c"]']);
      assert.deepEqual(receivers[2]!.frames, ['o', 'a["a","b"]']);
      assert.equal(thrown.length, 1, 'the failure is still reported');
      assert.equal((thrown[0] as Error).message, 'receiver failed');
    } finally {
      process.off('unhandledRejection', onRejection);
      for (const listener of runnerListeners) process.on('unhandledRejection', listener);
    }
  });

  it('keeps messages for the next poll when no receiver is attached', () => {
    const { session } = newSession();
    const first = new RecordingReceiver(1);
    session.attach(first, INFO);
    assert.equal(first.closed, true);
    session.connection.send('queued');
    const second = new RecordingReceiver(1);
    session.attach(second, INFO);
    assert.deepEqual(second.frames, ['a["queued"]']);
  });

  it('answers a second concurrent receiver with 2010 and leaves the first alone', () => {
    const { session } = newSession();
    const first = new RecordingReceiver();
    session.attach(first, INFO);
    const second = new RecordingReceiver();
    session.attach(second, INFO);
    assert.deepEqual(second.frames, ['c[2010,"Another connection still open"]']);
    assert.equal(second.closed, true);
    assert.equal(first.closed, false);
  });

  it('probes a stream with h, and never a pending poll or an empty session', () => {
    const polled = newSession().session;
    assert.equal(polled.probeReceiver(), false, 'no receiver');
    polled.attach(new RecordingReceiver(1), INFO);
    const pending = new RecordingReceiver(1);
    polled.attach(pending, INFO);
    assert.equal(polled.probeReceiver(), false, 'a frame would end the pending poll');
    assert.deepEqual(pending.frames, []);

    const { session } = newSession();
    const stream = Object.assign(new RecordingReceiver(), { streaming: true });
    session.attach(stream, INFO);
    assert.equal(session.probeReceiver(), true);
    assert.equal(session.probeReceiver(), true);
    assert.deepEqual(stream.frames, ['o', 'h', 'h'], 'the stream stays attached');
    session.receiverAborted(stream);
    assert.equal(session.probeReceiver(), false, 'a stream found dead is no longer probed');
  });

  it('sends h after heartbeatDelay of silence, and only then', async () => {
    const { session } = newSession();
    const receiver = new RecordingReceiver();
    session.attach(receiver, INFO);
    mock.timers.tick(20_000);
    session.connection.send('m');
    await flushMicrotasks();
    mock.timers.tick(5_000);
    assert.deepEqual(receiver.frames, ['o', 'a["m"]'], 'no heartbeat right after a message');
    mock.timers.tick(20_000);
    assert.deepEqual(receiver.frames, ['o', 'a["m"]', 'h']);
    mock.timers.tick(25_000);
    assert.deepEqual(receiver.frames, ['o', 'a["m"]', 'h', 'h']);
  });

  it('is destroyed disconnectDelay after its receiver ends, and the application sees close', () => {
    const { session, destroyed, closes } = newSession();
    session.attach(new RecordingReceiver(1), INFO);
    mock.timers.tick(4_999);
    assert.equal(destroyed.length, 0);
    mock.timers.tick(1);
    assert.deepEqual(destroyed, [session]);
    assert.equal(closes.length, 1);
    assert.deepEqual([closes[0]!.code, closes[0]!.wasClean], [1006, false]);
    assert.equal(session.connection.readyState, ReadyState.CLOSED);
  });

  it('a returning receiver cancels the disconnect timer', () => {
    const { session, destroyed } = newSession();
    session.attach(new RecordingReceiver(1), INFO);
    mock.timers.tick(4_000);
    session.attach(new RecordingReceiver(), INFO);
    mock.timers.tick(60_000);
    assert.equal(destroyed.length, 0);
  });

  it('after close, answers every receiver with pending messages and the same close frame until destroyed', () => {
    const { session, destroyed, closes } = newSession();
    session.attach(new RecordingReceiver(1), INFO);
    session.connection.send('last');
    assert.equal(session.connection.close(3000, 'Go away!'), true);
    assert.equal(session.connection.readyState, ReadyState.CLOSING);
    const a = new RecordingReceiver();
    session.attach(a, INFO);
    assert.deepEqual(a.frames, ['a["last"]', 'c[3000,"Go away!"]']);
    assert.equal(a.closed, true);
    assert.equal(closes.length, 1, 'close event once the client was told');
    assert.deepEqual([closes[0]!.code, closes[0]!.reason, closes[0]!.wasClean], [3000, 'Go away!', true]);
    const b = new RecordingReceiver();
    session.attach(b, INFO);
    assert.deepEqual(b.frames, ['c[3000,"Go away!"]']);
    mock.timers.tick(5_000);
    assert.deepEqual(destroyed, [session]);
    assert.equal(closes.length, 1, 'close is dispatched exactly once');
  });

  it('closes the attached receiver with the close frame', () => {
    const { session } = newSession();
    const receiver = new RecordingReceiver();
    session.attach(receiver, INFO);
    session.connection.close();
    assert.deepEqual(receiver.frames, ['o', 'c[1000,"Normal closure"]']);
    assert.equal(receiver.closed, true);
  });

  it('after an aborted receiver, closes and tells the next receiver "Connection interrupted"', () => {
    const { session, destroyed, closes } = newSession();
    const receiver = new RecordingReceiver();
    session.attach(receiver, INFO);
    session.connection.send('may have been lost');
    session.receiverAborted(receiver);
    assert.equal(closes.length, 1, 'the application hears at once');
    assert.deepEqual(
      [closes[0]!.code, closes[0]!.reason, closes[0]!.wasClean],
      [1006, 'Connection interrupted', false],
    );
    assert.equal(session.connection.send('late'), false);
    assert.equal(session.connection.close(), false);
    const next = new RecordingReceiver();
    session.attach(next, INFO);
    assert.deepEqual(
      next.frames,
      ['c[1002,"Connection interrupted"]'],
      'no gap: queued messages are dropped, not sent',
    );
    assert.equal(destroyed.length, 0);
    mock.timers.tick(5_000);
    assert.deepEqual(destroyed, [session]);
    assert.equal(closes.length, 1);
  });

  it('ends a WebSocket session at once when its socket closes', () => {
    const destroyed: Session[] = [];
    const session = new Session('websocket', {
      prefix: '/echo',
      heartbeatDelay: 25_000,
      disconnectDelay: 5_000,
      maxQueuedMessages: 3,
      maxQueuedBytes: 1000,
      ephemeral: true,
      onOpen: () => {},
      onDestroy: (s) => destroyed.push(s),
    });
    const receiver = new RecordingReceiver();
    session.attach(receiver, INFO);
    session.receiverLost(receiver, { code: 1001, reason: 'bye', wasClean: true });
    assert.deepEqual(destroyed, [session]);
    assert.equal(session.connection.readyState, ReadyState.CLOSED);
  });

  it('holds messages back while the receiver is not writable, and sends them as one frame once it is', async () => {
    const { session } = newSession();
    const receiver = new RecordingReceiver();
    session.attach(receiver, INFO);
    receiver.canWrite = false;
    session.connection.send('1');
    await flushMicrotasks();
    session.connection.send('2');
    await flushMicrotasks();
    assert.deepEqual(receiver.frames, ['o']);
    receiver.drain();
    assert.deepEqual(receiver.frames, ['o', 'a["1","2"]']);
  });

  it('closes with c[1013,"Message queue full"] when the client falls maxQueuedMessages behind', async () => {
    const { session, closes } = newSession();
    const first = new RecordingReceiver(1);
    session.attach(first, INFO);
    for (const message of ['1', '2', '3']) assert.equal(session.connection.send(message), true);
    assert.equal(session.connection.send('4'), false, 'the fourth does not fit');
    assert.equal(session.connection.readyState, ReadyState.CLOSING);
    const next = new RecordingReceiver();
    session.attach(next, INFO);
    assert.deepEqual(
      next.frames,
      ['c[1013,"Message queue full"]'],
      'the client is told, nothing is half-sent',
    );
    assert.deepEqual(
      [closes[0]!.code, closes[0]!.reason, closes[0]!.wasClean],
      [1013, 'Message queue full', false],
    );
  });

  it('counts queued size too: one message past maxQueuedBytes closes the session', () => {
    const { session } = newSession();
    session.attach(new RecordingReceiver(1), INFO);
    assert.equal(session.connection.send('x'.repeat(600)), true);
    assert.equal(session.connection.send('y'.repeat(401)), false);
    assert.equal(session.connection.readyState, ReadyState.CLOSING);
  });

  it('delivers client messages in order only while open', () => {
    const { session } = newSession();
    const received: string[] = [];
    session.connection.addEventListener('message', (event) => received.push(event.data));
    session.attach(new RecordingReceiver(), INFO);
    session.deliver(['1', '2']);
    session.connection.close();
    session.deliver(['3']);
    assert.deepEqual(received, ['1', '2']);
  });

  it('validates close codes and reasons like a WebSocket', () => {
    const { session } = newSession();
    session.attach(new RecordingReceiver(), INFO);
    assert.throws(() => session.connection.close(1005), RangeError);
    assert.throws(() => session.connection.close(999), RangeError);
    assert.throws(() => session.connection.close(3000, 'x'.repeat(124)), RangeError);
    assert.throws(() => session.connection.send(new Uint8Array(1) as unknown as string), TypeError);
  });
});
