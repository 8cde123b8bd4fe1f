/**
 * A deliberately small HTTP/1.x client over `node:net` for protocol conformance tests.
 *
 * Unlike `fetch` or `node:http` it adds no headers of its own (only `Host`, unless the caller
 * passes one), keeps response headers exactly as sent (case and duplicates), and reports the
 * body of a `Transfer-Encoding: chunked` response as the list of chunks framed on the wire.
 * Everything that waits on the network has a timeout, so a misbehaving server fails a test
 * instead of hanging it.
 */
import net from 'node:net';

export const DEFAULT_TIMEOUT_MS = 3000;

export type HeaderList = ReadonlyArray<readonly [string, string]>;
export type HeaderInput = Readonly<Record<string, string>> | HeaderList;

export interface RawRequestOptions {
  method?: string;
  /** Request target, sent verbatim (raw path plus query string). */
  path: string;
  /** Sent in order, verbatim. `Host` is added only when absent. Nothing else is added. */
  headers?: HeaderInput;
  body?: string | Uint8Array;
  httpVersion?: '1.0' | '1.1';
}

export type BodyFraming = 'chunked' | 'content-length' | 'eof' | 'none';

function headerEntries(headers: HeaderInput | undefined): Array<[string, string]> {
  if (headers === undefined) return [];
  if (Array.isArray(headers)) return (headers as HeaderList).map(([name, value]) => [name, value]);
  return Object.entries(headers as Record<string, string>);
}

/** Pull-style reader over a socket: waits for bytes with deadlines. */
class ByteReader {
  #buffer: Buffer = Buffer.alloc(0);
  #eof = false;
  #error: Error | null = null;
  #wake: (() => void) | null = null;

  constructor(socket: net.Socket) {
    socket.on('data', (data: Buffer) => {
      this.#buffer = this.#buffer.length === 0 ? data : Buffer.concat([this.#buffer, data]);
      this.#notify();
    });
    socket.on('end', () => {
      this.#eof = true;
      this.#notify();
    });
    socket.on('close', () => {
      this.#eof = true;
      this.#notify();
    });
    socket.on('error', (error: Error) => {
      this.#error = error;
      this.#eof = true;
      this.#notify();
    });
  }

  get eof(): boolean {
    return this.#eof && this.#buffer.length === 0;
  }

  get buffered(): number {
    return this.#buffer.length;
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /** Resolves once more bytes than `have` are buffered or the peer is gone. */
  async #waitForMore(have: number, deadline: number, what: string): Promise<void> {
    while (this.#buffer.length <= have && !this.#eof) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.#wake = null;
          reject(new Error(`timed out waiting for ${what}`));
        }, remaining);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  #eofError(what: string): Error {
    const cause = this.#error ? ` (${this.#error.message})` : '';
    return new Error(`connection closed while waiting for ${what}${cause}`);
  }

  #take(n: number): Buffer {
    const out = this.#buffer.subarray(0, n);
    this.#buffer = this.#buffer.subarray(n);
    return out;
  }

  /** One CRLF-terminated line, without the CRLF. */
  async readLine(deadline: number, what: string): Promise<string> {
    let searchFrom = 0;
    for (;;) {
      const index = this.#buffer.indexOf('\r\n', searchFrom, 'latin1');
      if (index !== -1) {
        const line = this.#take(index + 2);
        return line.subarray(0, index).toString('latin1');
      }
      if (this.#eof) throw this.#eofError(what);
      searchFrom = Math.max(0, this.#buffer.length - 1);
      await this.#waitForMore(this.#buffer.length, deadline, what);
    }
  }

  async readExactly(n: number, deadline: number, what: string): Promise<Buffer> {
    while (this.#buffer.length < n) {
      if (this.#eof) throw this.#eofError(what);
      await this.#waitForMore(this.#buffer.length, deadline, what);
    }
    return Buffer.from(this.#take(n));
  }

  /** Whatever is buffered (waiting for at least one byte), at most `max` bytes; null at EOF. */
  async readSome(max: number, deadline: number, what: string): Promise<Buffer | null> {
    if (this.#buffer.length === 0) {
      if (this.#eof) return null;
      await this.#waitForMore(0, deadline, what);
      if (this.#buffer.length === 0) return null;
    }
    return Buffer.from(this.#take(Math.min(max, this.#buffer.length)));
  }

  /** Resolves true once the peer has closed the connection and everything was read. */
  async waitForEof(deadline: number, what: string): Promise<void> {
    while (!this.#eof) await this.#waitForMore(this.#buffer.length, deadline, what);
  }
}

export class HttpConnection {
  readonly socket: net.Socket;
  readonly host: string;
  readonly port: number;
  readonly #reader: ByteReader;
  #current: RawResponse | null = null;
  #lastRequest = '';

  private constructor(socket: net.Socket, host: string, port: number) {
    this.socket = socket;
    this.host = host;
    this.port = port;
    this.#reader = new ByteReader(socket);
  }

  /** Opens a TCP connection to the host and port of `baseUrl` (an `http://` URL). */
  static open(baseUrl: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<HttpConnection> {
    const url = new URL(baseUrl);
    const host = url.hostname;
    const port = Number(url.port || 80);
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`timed out after ${timeoutMs} ms connecting to ${host}:${port}`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.setNoDelay(true);
        resolve(new HttpConnection(socket, host, port));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  /** True once the peer has closed its side and all bytes were consumed, or the socket is destroyed. */
  get closed(): boolean {
    return this.socket.destroyed || this.#reader.eof;
  }

  /** Writes one request. Does not wait for the response (see `readResponse`). */
  send(options: RawRequestOptions): void {
    if (this.#current !== null && !this.#current.complete) {
      throw new Error('previous response on this connection was not fully read');
    }
    const method = options.method ?? 'GET';
    const version = options.httpVersion ?? '1.1';
    const headers = headerEntries(options.headers);
    if (!headers.some(([name]) => name.toLowerCase() === 'host')) {
      headers.unshift(['Host', `${this.host}:${this.port}`]);
    }
    let head = `${method} ${options.path} HTTP/${version}\r\n`;
    for (const [name, value] of headers) head += `${name}: ${value}\r\n`;
    head += '\r\n';
    this.#lastRequest = `${method} ${options.path}`;
    const body = options.body === undefined ? Buffer.alloc(0) : Buffer.from(options.body);
    this.socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
    this.#current = null;
  }

  /** Reads a response head. `method` decides whether a body can follow (HEAD never has one). */
  async readResponse(timeoutMs = DEFAULT_TIMEOUT_MS, method = 'GET'): Promise<RawResponse> {
    const deadline = Date.now() + timeoutMs;
    const what = `the response head of ${this.#lastRequest} (${timeoutMs} ms)`;
    const statusLine = await this.#reader.readLine(deadline, what);
    const match = /^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/.exec(statusLine);
    if (match === null) throw new Error(`malformed status line: ${JSON.stringify(statusLine)}`);
    const rawHeaderLines: string[] = [];
    for (;;) {
      const line = await this.#reader.readLine(deadline, what);
      if (line === '') break;
      rawHeaderLines.push(line);
    }
    const response = new RawResponse(this, this.#reader, {
      httpVersion: match[1]!,
      status: Number(match[2]),
      statusText: match[3] ?? '',
      rawHeaderLines,
      method,
      request: this.#lastRequest,
    });
    this.#current = response;
    return response;
  }

  /** `send` + `readResponse`. */
  async request(options: RawRequestOptions, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<RawResponse> {
    this.send(options);
    return this.readResponse(timeoutMs, options.method ?? 'GET');
  }

  /** Resolves once the server has closed the connection (all pending bytes are discarded). */
  async waitForClose(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    await this.#reader.waitForEof(
      Date.now() + timeoutMs,
      `the server to close the connection (${timeoutMs} ms)`,
    );
  }

  /** Bytes received but not yet consumed by a response. */
  get unreadBytes(): number {
    return this.#reader.buffered;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

interface ResponseInit {
  httpVersion: string;
  status: number;
  statusText: string;
  rawHeaderLines: string[];
  method: string;
  request: string;
}

export class RawResponse {
  readonly connection: HttpConnection;
  readonly httpVersion: string;
  readonly status: number;
  readonly statusText: string;
  /** Header lines exactly as received, without CRLF. */
  readonly rawHeaderLines: readonly string[];
  /** Parsed `[name, value]` pairs: name as sent, value with surrounding whitespace trimmed. */
  readonly rawHeaders: ReadonlyArray<readonly [string, string]>;
  readonly framing: BodyFraming;
  /** Every body chunk read so far, in order (wire chunks for chunked bodies). */
  readonly chunks: Buffer[] = [];
  readonly #reader: ByteReader;
  readonly #request: string;
  #remaining = 0;
  #complete = false;
  #leftover: Buffer = Buffer.alloc(0);

  constructor(connection: HttpConnection, reader: ByteReader, init: ResponseInit) {
    this.connection = connection;
    this.#reader = reader;
    this.#request = init.request;
    this.httpVersion = init.httpVersion;
    this.status = init.status;
    this.statusText = init.statusText;
    this.rawHeaderLines = init.rawHeaderLines;
    this.rawHeaders = init.rawHeaderLines.map((line) => {
      const colon = line.indexOf(':');
      if (colon === -1) return [line, ''] as const;
      return [line.slice(0, colon), line.slice(colon + 1).trim()] as const;
    });
    const transferEncoding = this.header('transfer-encoding');
    const contentLength = this.header('content-length');
    if (
      init.method === 'HEAD' ||
      this.status === 204 ||
      this.status === 304 ||
      (this.status >= 100 && this.status < 200)
    ) {
      this.framing = 'none';
    } else if (transferEncoding !== undefined && /(^|,)\s*chunked\s*$/i.test(transferEncoding)) {
      this.framing = 'chunked';
    } else if (contentLength !== undefined) {
      if (!/^\d+$/.test(contentLength)) throw new Error(`malformed Content-Length: ${contentLength}`);
      this.framing = 'content-length';
      this.#remaining = Number(contentLength);
    } else {
      this.framing = 'eof';
    }
    if (this.framing === 'none' || (this.framing === 'content-length' && this.#remaining === 0)) {
      this.#complete = true;
    }
  }

  /** Case-insensitive lookup. Several fields with the name are joined with `, `. */
  header(name: string): string | undefined {
    const values = this.headerValues(name);
    return values.length === 0 ? undefined : values.join(', ');
  }

  /** Every value of the named header, in order received (case-insensitive name). */
  headerValues(name: string): string[] {
    const lower = name.toLowerCase();
    return this.rawHeaders.filter(([key]) => key.toLowerCase() === lower).map(([, value]) => value);
  }

  hasHeader(name: string): boolean {
    return this.headerValues(name).length > 0;
  }

  get setCookies(): string[] {
    return this.headerValues('set-cookie');
  }

  /** True once the end of the body has been read. */
  get complete(): boolean {
    return this.#complete;
  }

  /**
   * The next body chunk as it arrives: a wire chunk for chunked bodies, otherwise whatever bytes
   * arrived. Resolves null at the end of the body; rejects after `timeoutMs` without one.
   */
  async nextChunk(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Buffer | null> {
    if (this.#complete) return null;
    const deadline = Date.now() + timeoutMs;
    const what = `the next body chunk of ${this.#request} (${timeoutMs} ms)`;
    let chunk: Buffer | null;
    switch (this.framing) {
      case 'chunked':
        chunk = await this.#readWireChunk(deadline, what);
        break;
      case 'content-length': {
        chunk = await this.#reader.readSome(this.#remaining, deadline, what);
        if (chunk === null) {
          throw new Error(
            `connection closed with ${this.#remaining} bytes of the body missing (${this.#request})`,
          );
        }
        this.#remaining -= chunk.length;
        if (this.#remaining === 0) this.#complete = true;
        break;
      }
      case 'eof':
        chunk = await this.#reader.readSome(Number.MAX_SAFE_INTEGER, deadline, what);
        break;
      default:
        chunk = null;
    }
    if (chunk === null) {
      this.#complete = true;
      return null;
    }
    this.chunks.push(chunk);
    return chunk;
  }

  async #readWireChunk(deadline: number, what: string): Promise<Buffer | null> {
    const sizeLine = await this.#reader.readLine(deadline, what);
    const sizeMatch = /^([0-9a-fA-F]+)(?:;.*)?$/.exec(sizeLine);
    if (sizeMatch === null) throw new Error(`malformed chunk size line: ${JSON.stringify(sizeLine)}`);
    const size = Number.parseInt(sizeMatch[1]!, 16);
    if (size === 0) {
      // Trailer section, terminated by an empty line.
      while ((await this.#reader.readLine(deadline, what)) !== '') {}
      return null;
    }
    const data = await this.#reader.readExactly(size, deadline, what);
    const terminator = await this.#reader.readLine(deadline, what);
    if (terminator !== '') throw new Error(`chunk of ${size} bytes not followed by CRLF`);
    return data;
  }

  /** `nextChunk` decoded as UTF-8. */
  async nextText(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string | null> {
    const chunk = await this.nextChunk(timeoutMs);
    return chunk === null ? null : chunk.toString('utf8');
  }

  /** Exactly `n` body bytes, regardless of how they were chunked. */
  async readBytes(n: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.#leftover.length < n) {
      const chunk = await this.nextChunk(Math.max(1, deadline - Date.now()));
      if (chunk === null) {
        throw new Error(
          `body ended after ${this.#leftover.length} of ${n} expected bytes (${this.#request})`,
        );
      }
      this.#leftover = Buffer.concat([this.#leftover, chunk]);
    }
    const out = this.#leftover.subarray(0, n);
    this.#leftover = this.#leftover.subarray(n);
    return out;
  }

  /** Reads to the end of the body; resolves the bytes not yet consumed by other reads. */
  async readAll(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    const start = this.chunks.length;
    const parts: Buffer[] = [this.#leftover];
    this.#leftover = Buffer.alloc(0);
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        throw new Error(`timed out after ${timeoutMs} ms reading the body of ${this.#request}`);
      const chunk = await this.nextChunk(remaining);
      if (chunk === null) break;
    }
    parts.push(...this.chunks.slice(start));
    return Buffer.concat(parts);
  }

  async text(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    return (await this.readAll(timeoutMs)).toString('utf8');
  }

  /** Drops the connection mid-response, as a client aborting the request would. */
  abort(): void {
    this.connection.destroy();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    for (;;) {
      const chunk = await this.nextChunk();
      if (chunk === null) return;
      yield chunk;
    }
  }
}

/** A fully read response. */
export interface CompleteResponse {
  raw: RawResponse;
  status: number;
  httpVersion: string;
  header(name: string): string | undefined;
  headerValues(name: string): string[];
  hasHeader(name: string): boolean;
  setCookies: string[];
  chunks: Buffer[];
  body: Buffer;
  text: string;
}

/**
 * One request on a fresh connection, read to the end of the body; the connection is closed
 * afterwards. Nothing but `Host` is added to the caller's headers.
 */
export async function rawRequest(
  baseUrl: string,
  options: RawRequestOptions,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<CompleteResponse> {
  const connection = await HttpConnection.open(baseUrl, timeoutMs);
  try {
    const response = await connection.request(options, timeoutMs);
    const body = await response.readAll(timeoutMs);
    return {
      raw: response,
      status: response.status,
      httpVersion: response.httpVersion,
      header: (name) => response.header(name),
      headerValues: (name) => response.headerValues(name),
      hasHeader: (name) => response.hasHeader(name),
      setCookies: response.setCookies,
      chunks: [...response.chunks],
      body,
      text: body.toString('utf8'),
    };
  } finally {
    connection.destroy();
  }
}

/**
 * Starts a request on a fresh connection and resolves once the response head arrived, so the
 * body can be read incrementally. Call `abort()` on the result when done.
 */
export async function openStream(
  baseUrl: string,
  options: RawRequestOptions,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<RawResponse> {
  const connection = await HttpConnection.open(baseUrl, timeoutMs);
  try {
    return await connection.request(options, timeoutMs);
  } catch (error) {
    connection.destroy();
    throw error;
  }
}
