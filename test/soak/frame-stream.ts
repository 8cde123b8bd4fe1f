/**
 * One HTTP receiver request of a SockJS session (a poll or a stream), read as SockJS frames:
 * a pump reads the body as it arrives and cuts it into frames by the transport's framing, so
 * the client can wait for a frame, take what has already arrived without waiting, or abort.
 */
import { StringDecoder } from 'node:string_decoder';
import { HttpConnection, type RawResponse } from '../support/raw-http.ts';

export type Framing = 'xhr' | 'xhr-streaming' | 'eventsource' | 'htmlfile' | 'jsonp';

const STREAMING_PRELUDE = `${'h'.repeat(2048)}\n`;

/** Cuts whole frames off the front of `text`; returns them and what is left. */
function cut(
  framing: Framing,
  text: string,
  first: boolean,
): { frames: string[]; rest: string; first: boolean } {
  const frames: string[] = [];
  let rest = text;
  for (;;) {
    if (first) {
      const prelude =
        framing === 'xhr-streaming'
          ? STREAMING_PRELUDE
          : framing === 'eventsource'
            ? '\r\n'
            : framing === 'htmlfile'
              ? null
              : '';
      if (prelude === null) {
        const end = rest.indexOf('\r\n\r\n');
        if (end === -1) break;
        rest = rest.slice(end + 4);
      } else {
        if (rest.length < prelude.length) break;
        if (!rest.startsWith(prelude)) throw new Error(`bad prelude: ${JSON.stringify(rest.slice(0, 40))}`);
        rest = rest.slice(prelude.length);
      }
      first = false;
      continue;
    }
    let match: RegExpExecArray | null;
    switch (framing) {
      case 'xhr':
      case 'xhr-streaming':
        match = /^(.*?)\n/s.exec(rest);
        if (match) frames.push(match[1]!);
        break;
      case 'eventsource':
        match = /^data: ([^\r\n]*)\r\n\r\n/.exec(rest);
        if (match) frames.push(decodeURI(match[1]!));
        break;
      case 'htmlfile':
        match = /^<script>\np\((.*?)\);\n<\/script>\r\n/s.exec(rest);
        if (match) frames.push(JSON.parse(match[1]!) as string);
        break;
      case 'jsonp':
        match = /^\/\*\*\/[A-Za-z0-9_.-]+\((.*?)\);\r\n/s.exec(rest);
        if (match) frames.push(JSON.parse(match[1]!) as string);
        break;
    }
    if (match === null) break;
    rest = rest.slice(match[0].length);
  }
  return { frames, rest, first };
}

export class FrameStream {
  readonly #connection: HttpConnection;
  readonly #framing: Framing;
  readonly #frames: string[] = [];
  /** Keeps a UTF-8 sequence split across chunks until it is whole. */
  readonly #decoder = new StringDecoder('utf8');
  #text = '';
  #first = true;
  #ended = false;
  #error: Error | null = null;
  #wake: (() => void) | null = null;

  private constructor(connection: HttpConnection, method: 'GET' | 'POST', path: string, framing: Framing) {
    this.#connection = connection;
    this.#framing = framing;
    void this.#pump(method, path);
  }

  /**
   * Sends the request and returns at once: some runtimes (Bun) send a response's head only
   * with its first bytes, so a waiting poll has no head yet. A status other than 200 is an
   * error that `next` and `take` throw.
   */
  static async open(
    baseUrl: string,
    method: 'GET' | 'POST',
    path: string,
    framing: Framing,
    timeoutMs: number,
  ): Promise<FrameStream> {
    const connection = await HttpConnection.open(baseUrl, timeoutMs);
    connection.socket.on('error', () => {});
    return new FrameStream(connection, method, path, framing);
  }

  async #pump(method: 'GET' | 'POST', path: string): Promise<void> {
    try {
      const headers: Record<string, string> = method === 'POST' ? { 'Content-Length': '0' } : {};
      const response: RawResponse = await this.#connection.request({ method, path, headers }, 120_000);
      if (response.status !== 200) throw new Error(`${method} ${path} answered ${response.status}`);
      for (;;) {
        const chunk = await response.nextChunk(120_000);
        if (chunk === null) break;
        this.#text += this.#decoder.write(chunk);
        const { frames, rest, first } = cut(this.#framing, this.#text, this.#first);
        this.#frames.push(...frames);
        this.#text = rest;
        this.#first = first;
        this.#notify();
      }
      if (this.#text !== '' || this.#decoder.end() !== '') {
        this.#error = new Error(
          `the response ended inside a frame: ${JSON.stringify(this.#text.slice(0, 80))}`,
        );
      }
    } catch (error) {
      // An abort (ours) ends the pump too; anything else is reported by `next`.
      if (!this.#connection.socket.destroyed) this.#error = error as Error;
    }
    this.#ended = true;
    this.#connection.destroy();
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /** True once the body has ended (or was aborted) and every frame was taken. */
  get ended(): boolean {
    return this.#ended && this.#frames.length === 0;
  }

  /** A frame that has already arrived, or undefined. */
  take(): string | undefined {
    if (this.#frames.length === 0 && this.#error !== null) throw this.#error;
    return this.#frames.shift();
  }

  /** The next frame; null at the end of the body; throws if none comes within `timeoutMs`. */
  async next(timeoutMs: number): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = this.take();
      if (frame !== undefined) return frame;
      if (this.#ended) return null;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no frame within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Drops the connection, as a client aborting the request does. */
  abort(): void {
    this.#connection.destroy();
  }
}
