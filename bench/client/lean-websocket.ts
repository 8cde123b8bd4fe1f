/**
 * The load generator's WebSocket client: RFC 6455 over a raw TCP socket, text frames only, no
 * extensions. `ws` spends about as much CPU per message as the servers it measures, so with it
 * the generator, not the server, was the limit on the pipelined scenarios. Here:
 *   - frames are masked with an all-zero key (valid: the key's value is the client's choice, and
 *     every server unmasks whatever it is), so a payload is written as is, never XORed;
 *   - everything sent within one turn of the event loop leaves in one socket write;
 *   - a received frame is decoded straight from the socket's buffer.
 */
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { deferred, withTimeout } from '../timing.ts';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OPCODE = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;
const HEAD_END = Buffer.from('\r\n\r\n');
const EMPTY = Buffer.alloc(0);

export class LeanWebSocket {
  /** Called with every text message, in order. */
  onText: (text: string) => void = () => {};
  /** Called once when the connection ends, with the close frame's code (1006 when there was none). */
  onClose: (code: number, reason: string) => void = () => {};
  readonly #socket: net.Socket;
  #pending: Buffer[] = [];
  #flushScheduled = false;
  #received: Buffer | null = null;
  #fragments: Buffer[] = [];
  #closeCode = 1006;
  #closeReason = '';
  #closed = false;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
  }

  /** Connects and completes the opening handshake. */
  static connect(url: string, timeoutMs = 10_000): Promise<LeanWebSocket> {
    const { hostname, port, pathname, search } = new URL(url);
    const socket = net.connect({ host: hostname, port: Number(port) });
    socket.setNoDelay(true);
    const client = new LeanWebSocket(socket);
    const key = randomBytes(16).toString('base64');
    const accept = createHash('sha1')
      .update(key + GUID)
      .digest('base64');
    const opened = deferred<LeanWebSocket>();
    let head = Buffer.alloc(0);
    const onHandshake = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf(HEAD_END);
      if (end < 0) return;
      socket.off('data', onHandshake);
      const lines = head.subarray(0, end).toString('latin1').split('\r\n');
      const acceptLine = lines.find((line) => line.toLowerCase().startsWith('sec-websocket-accept:'));
      if (!lines[0]!.startsWith('HTTP/1.1 101') || acceptLine?.slice(21).trim() !== accept) {
        socket.destroy();
        opened.reject(new Error(`handshake refused: ${lines[0]}`));
        return;
      }
      socket.on('data', (data: Buffer) => client.#receive(data));
      opened.resolve(client);
      // Frames that came with the handshake wait until the caller has set its handlers: until
      // the next data (which the caller's code always runs before) or the next turn.
      const rest = head.subarray(end + HEAD_END.length);
      if (rest.length > 0) {
        client.#received = Buffer.from(rest);
        setImmediate(() => client.#receive(EMPTY));
      }
    };
    socket.on('data', onHandshake);
    socket.on('error', (error) => opened.reject(error));
    socket.on('close', () => {
      opened.reject(new Error('connection closed during the handshake'));
      client.#ended();
    });
    socket.write(
      `GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\n` +
        `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    return withTimeout(opened.promise, timeoutMs, `opening ${url}`).catch((error: Error) => {
      socket.destroy();
      throw error;
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  sendText(text: string): void {
    this.#sendFrame(OPCODE.text, Buffer.from(text));
  }

  /** Drops the connection at once (no close handshake). */
  terminate(): void {
    this.#closed = true;
    this.#socket.destroy();
  }

  #sendFrame(opcode: number, payload: Buffer): void {
    if (this.#closed) return;
    const length = payload.length;
    const extra = length < 126 ? 0 : length < 65536 ? 2 : 8;
    const frame = Buffer.allocUnsafe(2 + extra + 4 + length);
    frame[0] = 0x80 | opcode;
    if (extra === 0) frame[1] = 0x80 | length;
    else if (extra === 2) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(length, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeBigUInt64BE(BigInt(length), 2);
    }
    frame.writeUInt32BE(0, 2 + extra); // the all-zero masking key
    payload.copy(frame, 6 + extra);
    this.#pending.push(frame);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      process.nextTick(() => this.#flush());
    }
  }

  #flush(): void {
    this.#flushScheduled = false;
    const frames = this.#pending;
    this.#pending = [];
    if (this.#closed || this.#socket.destroyed) return;
    this.#socket.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
  }

  #receive(data: Buffer): void {
    let buffer = this.#received === null ? data : Buffer.concat([this.#received, data]);
    let offset = 0;
    while (buffer.length - offset >= 2) {
      const first = buffer[offset]!;
      const second = buffer[offset + 1]!;
      let length = second & 0x7f;
      let start = offset + 2;
      if (length === 126) {
        if (buffer.length - offset < 4) break;
        length = buffer.readUInt16BE(offset + 2);
        start += 2;
      } else if (length === 127) {
        if (buffer.length - offset < 10) break;
        length = Number(buffer.readBigUInt64BE(offset + 2));
        start += 8;
      }
      if ((second & 0x80) !== 0) {
        this.#protocolError('server frames must not be masked');
        return;
      }
      if (buffer.length < start + length) break;
      this.#frame(first & 0x80, first & 0x0f, buffer, start, start + length);
      offset = start + length;
      if (this.#closed) return;
    }
    if (offset === buffer.length) this.#received = null;
    else {
      buffer = buffer.subarray(offset);
      this.#received = Buffer.from(buffer);
    }
  }

  #frame(fin: number, opcode: number, buffer: Buffer, start: number, end: number): void {
    switch (opcode) {
      case OPCODE.text:
      case OPCODE.continuation:
        if (fin !== 0 && this.#fragments.length === 0) {
          this.onText(buffer.toString('utf8', start, end));
        } else {
          this.#fragments.push(Buffer.from(buffer.subarray(start, end)));
          if (fin !== 0) {
            const whole = Buffer.concat(this.#fragments);
            this.#fragments = [];
            this.onText(whole.toString('utf8'));
          }
        }
        return;
      case OPCODE.ping:
        this.#sendFrame(OPCODE.pong, Buffer.from(buffer.subarray(start, end)));
        return;
      case OPCODE.pong:
        return;
      case OPCODE.close:
        if (end - start >= 2) {
          this.#closeCode = buffer.readUInt16BE(start);
          this.#closeReason = buffer.toString('utf8', start + 2, end);
        }
        this.#socket.end();
        this.#ended();
        return;
      default:
        this.#protocolError(`unexpected opcode ${opcode}`);
    }
  }

  #protocolError(reason: string): void {
    this.#closeCode = 1002;
    this.#closeReason = reason;
    this.#socket.destroy();
    this.#ended();
  }

  #ended(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onClose(this.#closeCode, this.#closeReason);
  }
}
