/**
 * A SockJS session over a streaming HTTP receiver (`xhr_streaming` or `eventsource`), sending
 * with `xhr_send`. Like sockjs-client, it opens a new receiving request on the same session
 * whenever the server ends one at its response limit.
 */
import type http from 'node:http';
import { deferred, withTimeout } from '../timing.ts';
import { FrameSplitter, parseFrame } from './frames.ts';
import { openStream, request, type Stream } from './http.ts';

export type StreamingTransport = 'xhr_streaming' | 'eventsource';

export class HttpSession {
  onMessage: (message: string) => void = () => {};
  /** Receiving requests the server ended and this session reopened. */
  reconnects = 0;
  readonly #agent: http.Agent;
  readonly #transport: StreamingTransport;
  readonly #base: string;
  #stream: Stream | null = null;
  #stopped = false;
  #error: Error | null = null;

  /** `serviceUrl` is e.g. `http://127.0.0.1:1234/echo`. */
  constructor(agent: http.Agent, serviceUrl: string, transport: StreamingTransport, sessionId: string) {
    this.#agent = agent;
    this.#transport = transport;
    this.#base = `${serviceUrl}/bench/${sessionId}`;
  }

  /** The first error the receiver hit, if any. */
  get error(): Error | null {
    return this.#error;
  }

  /** Opens the receiver; resolves on the open frame. */
  start(timeoutMs = 10_000): Promise<void> {
    const opened = deferred();
    this.#receive(opened.resolve, opened.reject);
    return withTimeout(opened.promise, timeoutMs, `opening ${this.#base}/${this.#transport}`);
  }

  /** Posts messages with `xhr_send`; resolves on the 204. */
  async send(messages: readonly string[]): Promise<void> {
    const answer = await request(this.#agent, `${this.#base}/xhr_send`, 'POST', JSON.stringify(messages));
    if (answer.status !== 204) throw new Error(`xhr_send: status ${answer.status} ${answer.body}`);
  }

  stop(): void {
    this.#stopped = true;
    this.#stream?.abort();
    this.#stream = null;
  }

  #receive(onOpen: () => void, onFail: (error: Error) => void): void {
    const splitter = new FrameSplitter(this.#transport === 'xhr_streaming' ? 'xhr' : 'eventsource');
    const method = this.#transport === 'xhr_streaming' ? 'POST' : 'GET';
    const fail = (error: Error) => {
      this.#error ??= error;
      onFail(error);
    };
    this.#stream = openStream(this.#agent, `${this.#base}/${this.#transport}`, method, {
      onChunk: (text) => {
        for (const raw of splitter.push(text)) {
          const frame = parseFrame(raw);
          if (frame.type === 'open') onOpen();
          else if (frame.type === 'messages') for (const message of frame.messages) this.onMessage(message);
          else if (frame.type === 'close') fail(new Error(`session closed: ${frame.code} ${frame.reason}`));
        }
      },
      onEnd: () => {
        if (this.#stopped) return;
        this.reconnects++;
        this.#receive(() => fail(new Error('session lost: got a second open frame')), fail);
      },
      onError: fail,
    });
  }
}
