/**
 * A SockJS session seen from the client, over a WebSocket or xhr_streaming (+ xhr_send): every
 * message it receives, in order, and ways to wait for them. For tests that count deliveries.
 */
import assert from 'node:assert/strict';
import { toWsUrl, WsClient } from './ws-client.ts';

export class SockJSSession {
  readonly received: string[] = [];
  #closed = false;
  #waiters: Array<() => void> = [];
  readonly #send: (messages: string[]) => Promise<void>;
  readonly #close: () => Promise<void>;

  private constructor(send: (messages: string[]) => Promise<void>, close: () => Promise<void>) {
    this.#send = send;
    this.#close = close;
  }

  /** A WebSocket session at `<base><prefix>/000/<session>/websocket`. */
  static async websocket(base: string, prefix: string, session: string): Promise<SockJSSession> {
    const ws = await WsClient.connect(`${toWsUrl(base)}${prefix}/000/${session}/websocket`, 10_000);
    assert.equal(await ws.next(10_000), 'o');
    const client = new SockJSSession(
      async (messages) => ws.send(JSON.stringify(messages)),
      () => ws.close(),
    );
    void (async () => {
      for (;;) {
        let frame: string;
        try {
          frame = await ws.next(3_600_000);
        } catch {
          client.#end();
          return;
        }
        client.#frame(frame);
      }
    })();
    return client;
  }

  /** An xhr_streaming session, sending with xhr_send. */
  static async streaming(base: string, prefix: string, session: string): Promise<SockJSSession> {
    const url = `${base}${prefix}/000/${session}`;
    const response = await fetch(`${url}/xhr_streaming`, { method: 'POST' });
    assert.equal(response.status, 200);
    const reader = response.body!.getReader();
    const client = new SockJSSession(
      async (messages) => {
        const sent = await fetch(`${url}/xhr_send`, {
          method: 'POST',
          headers: { 'Content-Type': 'text/plain' },
          body: JSON.stringify(messages),
        });
        assert.equal(sent.status, 204);
      },
      () => reader.cancel(),
    );
    let open: () => void;
    const opened = new Promise<void>((resolve) => {
      open = resolve;
    });
    void (async () => {
      const decoder = new TextDecoder();
      let text = '';
      for (;;) {
        let result: Awaited<ReturnType<typeof reader.read>>;
        try {
          result = await reader.read();
        } catch {
          client.#end();
          return;
        }
        if (result.done) return client.#end();
        text += decoder.decode(result.value, { stream: true });
        const lines = text.split('\n');
        text = lines.pop()!;
        // The prelude is a line of 2048 "h"s, a heartbeat is "h": neither carries messages.
        for (const line of lines) {
          if (line === 'o') open!();
          client.#frame(line);
        }
      }
    })();
    await opened;
    return client;
  }

  #frame(frame: string): void {
    if (frame.startsWith('a')) this.received.push(...(JSON.parse(frame.slice(1)) as string[]));
    else if (frame.startsWith('c')) this.#closed = true;
    for (const wake of this.#waiters.splice(0)) wake();
  }

  #end(): void {
    this.#closed = true;
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Sends the messages in one SockJS frame. */
  send(...messages: string[]): Promise<void> {
    return this.#send(messages);
  }

  /** The first message from index `from` on that satisfies `predicate` (fails after `timeoutMs`). */
  async find(predicate: (message: string) => boolean, from = 0, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.slice(from).find(predicate);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0 || this.#closed) {
        throw new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.received)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async waitFor(message: string, timeoutMs?: number): Promise<void> {
    await this.find((received) => received === message, 0, timeoutMs);
  }

  /** Sends `message` and returns the first answer that satisfies `predicate`. */
  async ask(message: string, predicate: (answer: string) => boolean): Promise<string> {
    const from = this.received.length;
    await this.send(message);
    return this.find(predicate, from);
  }

  close(): Promise<void> {
    return this.#close();
  }
}
