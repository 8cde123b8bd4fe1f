/** PROTOCOL.md 1.10: the extra test services `/ticker`, `/amplify` and `/broadcast`. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toWsUrl, WsClient } from '../support/ws-client.ts';
import { type SuiteContext, sessionBase } from './common.ts';

export function defineServiceTests(ctx: SuiteContext): void {
  const connect = async (prefix: string) => {
    const ws = await WsClient.connect(`${toWsUrl(ctx.url)}${sessionBase(prefix)}/websocket`);
    assert.equal(await ws.next(), 'o', `${prefix}: open frame`);
    return ws;
  };

  describe('test services (1.10)', () => {
    it('/ticker sends "tick!" about every second', async () => {
      const ws = await connect('/ticker');
      try {
        assert.equal(await ws.next(2500), 'a["tick!"]');
      } finally {
        await ws.close();
      }
    });

    it('/amplify answers message n with "x" repeated 2^n, n outside 1..18 counting as 1', async () => {
      const ws = await connect('/amplify');
      try {
        const cases: Array<[string, number]> = [
          ['3', 8],
          ['1', 2],
          ['18', 2 ** 18],
          ['0', 2],
          ['19', 2],
          ['abc', 2],
        ];
        for (const [message, length] of cases) {
          ws.send(JSON.stringify([message]));
          assert.equal(await ws.next(), `a["${'x'.repeat(length)}"]`, `amplify ${message}`);
        }
      } finally {
        await ws.close();
      }
    });

    it('/broadcast delivers each message to every connection', async () => {
      const first = await connect('/broadcast');
      const second = await connect('/broadcast');
      try {
        first.send('["hello all"]');
        assert.equal(await first.next(), 'a["hello all"]');
        assert.equal(await second.next(), 'a["hello all"]');
      } finally {
        await first.close();
        await second.close();
      }
    });
  });
}
