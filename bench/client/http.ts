/**
 * Minimal HTTP/1.1 client calls over one keep-alive agent per scenario: a request with a small
 * body answered in full, and a streamed response read chunk by chunk.
 */
import http from 'node:http';

export function createAgent(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY, maxFreeSockets: 1024 });
}

export interface HttpAnswer {
  status: number;
  body: string;
}

export function request(
  agent: http.Agent,
  url: string,
  method: 'GET' | 'POST',
  body?: string,
  timeoutMs = 10_000,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      agent,
      method,
      headers:
        body === undefined ? {} : { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) },
    });
    req.setTimeout(timeoutMs, () =>
      req.destroy(new Error(`timed out after ${timeoutMs} ms: ${method} ${url}`)),
    );
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.end(body);
  });
}

export interface Stream {
  /** Aborts the request (the server sees the client go away). */
  abort(): void;
}

export interface StreamHandlers {
  onChunk(text: string): void;
  /** The server ended the response (e.g. its response limit was reached). */
  onEnd(): void;
  onError(error: Error): void;
}

export function openStream(
  agent: http.Agent,
  url: string,
  method: 'GET' | 'POST',
  handlers: StreamHandlers,
): Stream {
  const req = http.request(url, { agent, method, headers: method === 'POST' ? { 'Content-Length': 0 } : {} });
  let aborted = false;
  req.on('error', (error) => {
    if (!aborted) handlers.onError(error);
  });
  req.on('response', (res) => {
    if (res.statusCode !== 200) {
      handlers.onError(new Error(`${method} ${url}: status ${res.statusCode}`));
      res.resume();
      return;
    }
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => handlers.onChunk(chunk));
    res.on('end', () => {
      if (!aborted) handlers.onEnd();
    });
    res.on('error', (error) => {
      if (!aborted) handlers.onError(error);
    });
  });
  req.end();
  return {
    abort: () => {
      aborted = true;
      req.destroy();
    },
  };
}
