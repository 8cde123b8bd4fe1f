/**
 * sockjs-client 1.6.1, the real client, against a running server: every transport it supports
 * in Node, forced one at a time. Reused unchanged for every runtime's server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import SockJS from 'sockjs-client';
import { capabilitiesOf, type ConformanceTarget as ServerTarget } from '../support/server-process.ts';

export const NODE_CLIENT_TRANSPORTS = ['websocket', 'xhr-streaming', 'xhr-polling', 'eventsource'] as const;

/** Messages chosen to trip escaping and framing: empty, control characters, separators, astral. */
export const TRICKY_MESSAGES: readonly string[] = [
  'hello',
  '',
  ' ',
  'emoji 😀 and flags 🇺🇦',
  'line separators \u2028 \u2029',
  'control \u0000\u0001\u001f\u007f',
  'escapes \\ " \n \r \t',
  'percent %20 %25 %',
  '<script>alert(1)</script> & </script>',
  'combining é and \u0301\u0302',
  'specials \ufff0\uffff\ufeff',
  'lone surrogate \ud800',
  '[1,2,3]',
  'x'.repeat(100 * 1024),
];

interface ClientEvents {
  opened: Promise<void>;
  messages: string[];
  closed: Promise<{ code: number; reason: string; wasClean: boolean }>;
  /** Resolves when `count` messages have arrived (rejects on close or timeout). */
  waitForMessages(count: number, timeoutMs?: number): Promise<string[]>;
}

// biome-ignore lint/suspicious/noExplicitAny: sockjs-client ships no types
type Client = any;

function connect(url: string, transport: string): { sock: Client; events: ClientEvents } {
  const sock: Client = new SockJS(url, undefined, { transports: [transport], timeout: 5000 });
  const messages: string[] = [];
  const waiters: Array<() => void> = [];
  let closedInfo: { code: number; reason: string; wasClean: boolean } | null = null;
  const opened = new Promise<void>((resolve, reject) => {
    sock.onopen = () => resolve();
    setTimeout(() => reject(new Error(`${transport}: no open within 10 s`)), 10_000).unref();
  });
  const closed = new Promise<{ code: number; reason: string; wasClean: boolean }>((resolve) => {
    sock.onclose = (event: { code: number; reason: string; wasClean: boolean }) => {
      closedInfo = { code: event.code, reason: event.reason, wasClean: event.wasClean };
      for (const wake of waiters.splice(0)) wake();
      resolve(closedInfo);
    };
  });
  sock.onmessage = (event: { data: string }) => {
    messages.push(event.data);
    for (const wake of waiters.splice(0)) wake();
  };
  const waitForMessages = (count: number, timeoutMs = 10_000) =>
    new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${transport}: ${messages.length}/${count} messages after ${timeoutMs} ms`)),
        timeoutMs,
      );
      const check = () => {
        if (messages.length >= count) {
          clearTimeout(timer);
          resolve(messages.slice(0, count));
        } else if (closedInfo !== null) {
          clearTimeout(timer);
          reject(
            new Error(`${transport}: closed ${JSON.stringify(closedInfo)} after ${messages.length} messages`),
          );
        } else {
          waiters.push(check);
        }
      };
      check();
    });
  return { sock, events: { opened, messages, closed, waitForMessages } };
}

export function defineSockJSClientSuite(target: ServerTarget): void {
  describe(`sockjs-client 1.6.1 against ${target.name}`, () => {
    let server: { url: string; stop(): Promise<void> };
    before(async () => {
      server = await target.start();
    });
    after(async () => {
      await server?.stop();
    });

    for (const transport of NODE_CLIENT_TRANSPORTS) {
      describe(transport, () => {
        it('opens on the forced transport and echoes tricky messages exactly, in order', async () => {
          const { sock, events } = connect(`${server.url}/echo`, transport);
          await events.opened;
          assert.equal(sock.transport, transport);
          for (const message of TRICKY_MESSAGES) sock.send(message);
          const echoed = await events.waitForMessages(TRICKY_MESSAGES.length, 20_000);
          // Compare lengths first so a mismatch on the 100 KiB message stays readable.
          assert.deepEqual(
            echoed.map((m) => m.length),
            TRICKY_MESSAGES.map((m) => m.length),
          );
          assert.deepEqual(echoed, TRICKY_MESSAGES);
          sock.close();
          const closed = await events.closed;
          assert.equal(closed.code, 1000);
        });

        it('reports the server close code and reason from /close', async () => {
          const { events } = connect(`${server.url}/close`, transport);
          await events.opened;
          const closed = await events.closed;
          assert.deepEqual(closed, { code: 3000, reason: 'Go away!', wasClean: true });
        });

        it('receives 2^16 characters from /amplify', async () => {
          const { sock, events } = connect(`${server.url}/amplify`, transport);
          await events.opened;
          sock.send('16');
          const [reply] = await events.waitForMessages(1);
          assert.equal(reply, 'x'.repeat(65536));
          sock.close();
          await events.closed;
        });

        it('broadcasts to every connection on /broadcast', async () => {
          const a = connect(`${server.url}/broadcast`, transport);
          const b = connect(`${server.url}/broadcast`, transport);
          try {
            await Promise.all([a.events.opened, b.events.opened]);
            const message = (n: number) => `from a over ${transport} #${n}`;
            a.sock.send(message(1));
            // A's own message comes back at once: local delivery.
            const [toA] = await a.events.waitForMessages(1);
            assert.equal(toA, message(1));
            if (!capabilitiesOf(target).topicsAcrossInstances) {
              const [toB] = await b.events.waitForMessages(1);
              assert.equal(toB, message(1));
            } else {
              // B may be on another instance whose subscription the broker has yet to confirm
              // (see the capability): A sends again until B hears one, then the rest in order.
              let sent = 1;
              const resend = setInterval(() => a.sock.send(message(++sent)), 100);
              try {
                const [first] = await b.events.waitForMessages(1);
                const n = Number(first?.split('#')[1]);
                assert.equal(first, message(n));
                clearInterval(resend);
                a.sock.send(message(++sent));
                const all = await b.events.waitForMessages(sent - n + 1);
                assert.deepEqual(
                  all,
                  Array.from({ length: sent - n + 1 }, (_, k) => message(n + k)),
                );
              } finally {
                clearInterval(resend);
              }
            }
          } finally {
            // Also on failure: an open eventsource client would reconnect forever and keep the
            // test process alive.
            a.sock.close();
            b.sock.close();
          }
          await Promise.all([a.events.closed, b.events.closed]);
        });
      });
    }

    it('falls back from websocket on /disabled_websocket_echo', async () => {
      const { sock, events } = connect(`${server.url}/disabled_websocket_echo`, 'websocket');
      const closed = await events.closed;
      // Only websocket was allowed and /info says websocket: false, so no transport is left.
      assert.equal(closed.code, 2000);
      assert.equal(sock.transport, undefined);
      const fallback = connect(`${server.url}/disabled_websocket_echo`, 'xhr-streaming');
      await fallback.events.opened;
      fallback.sock.send('still works');
      assert.deepEqual(await fallback.events.waitForMessages(1), ['still works']);
      fallback.sock.close();
      await fallback.events.closed;
    });
  });
}
