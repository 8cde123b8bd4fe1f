/** Server-to-client SockJS frames as the load generator sees them (PROTOCOL.md 1.5). */

export type Frame =
  | { type: 'open' }
  | { type: 'heartbeat' }
  | { type: 'messages'; messages: string[] }
  | { type: 'close'; code: number; reason: string };

export function parseFrame(text: string): Frame {
  switch (text.charCodeAt(0)) {
    case 111: // o
      return { type: 'open' };
    case 104: // h (also the 2 KiB xhr_streaming prelude)
      return { type: 'heartbeat' };
    case 97: // a
      return { type: 'messages', messages: JSON.parse(text.slice(1)) as string[] };
    case 99: {
      // c
      const [code, reason] = JSON.parse(text.slice(1)) as [number, string];
      return { type: 'close', code, reason };
    }
    default:
      throw new Error(`unexpected frame ${JSON.stringify(text.slice(0, 40))}`);
  }
}

/** Splits a streamed body into frames: newline-terminated (xhr) or server-sent events. */
export class FrameSplitter {
  #buffer = '';
  readonly #separator: string;
  readonly #prefix: string;

  constructor(framing: 'xhr' | 'eventsource') {
    this.#separator = framing === 'xhr' ? '\n' : '\r\n\r\n';
    this.#prefix = framing === 'xhr' ? '' : 'data: ';
  }

  /** Feeds a chunk; returns the complete frames it finished. */
  push(chunk: string): string[] {
    this.#buffer += chunk;
    const frames: string[] = [];
    let start = 0;
    for (;;) {
      const end = this.#buffer.indexOf(this.#separator, start);
      if (end < 0) break;
      let frame = this.#buffer.slice(start, end);
      start = end + this.#separator.length;
      // The eventsource prelude is a bare CRLF, which shows up as an empty leading part.
      frame = frame.replace(/^(\r\n)+/, '');
      if (frame === '') continue;
      if (this.#prefix !== '') {
        if (!frame.startsWith(this.#prefix)) throw new Error(`not an SSE data line: ${frame.slice(0, 40)}`);
        // The bench's messages contain no `%`, CR, LF or NUL, so no percent-decoding is needed.
        frame = frame.slice(this.#prefix.length);
      }
      frames.push(frame);
    }
    this.#buffer = this.#buffer.slice(start);
    return frames;
  }
}
