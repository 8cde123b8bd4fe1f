/**
 * sockjs-client's browser build, the one the server itself serves at `/lib/sockjs.js`, in headless
 * Chromium against a running server: every one of the client's 11 transports, forced one at a
 * time with its `transports` option, from a page on another origin (a second local server) and
 * from the server's own demo page. The transports Chromium cannot use are checked to be refused
 * (see transports.ts); every other must connect, report itself as `sock.transport`, echo varied
 * messages exactly and in order, and behave on /close, /amplify, /disabled_websocket_echo and
 * /cookie_needed_echo. Last, the demo chat page works with two clients.
 *
 * One Chromium per file (per runtime); each test runs in a fresh browser context (its own
 * cookies), several at once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SOCKJS_CLIENT_VERSION } from '../../examples/sockjs-client-bundle.ts';
import type { ConformanceTarget, RunningServer } from '../support/server-process.ts';
import { launchChromium } from './chromium.ts';
import { VARIED_MESSAGES } from './messages.ts';
import { HARNESS_SOURCE, type PageServer, startPageServer } from './page-server.ts';
import {
  CLIENT_TRANSPORTS,
  type ClientTransport,
  notApplicable,
  PAGE_ORIGINS,
  type PageOrigin,
} from './transports.ts';

/** Transports of one page origin tested at once (each in a browser context with one page). */
const CONCURRENCY = 3;
/** How long one connection may take from `new SockJS` to its close. */
const SESSION_TIMEOUT_MS = 20_000;
const TEST_TIMEOUT_MS = 60_000;

interface CloseInfo {
  code: number;
  reason: string;
  wasClean: boolean;
}

/** What `sockjsSession` in harness.js reports. */
interface SessionResult {
  opened: boolean;
  transport: string | null;
  received: string[];
  close: CloseInfo | null;
  timedOut: boolean;
  error: string | null;
}

interface SessionPlan {
  service: string;
  transport: ClientTransport;
  send?: readonly string[];
  /** Messages to wait for before the client closes; without it, the server is expected to close. */
  expect?: number;
}

const ALL_TRANSPORTS_FAILED: CloseInfo = { code: 2000, reason: 'All transports failed', wasClean: false };
const NORMAL_CLOSURE: CloseInfo = { code: 1000, reason: 'Normal closure', wasClean: true };

function describeResult(result: SessionResult): string {
  const { received, ...rest } = result;
  return JSON.stringify({ ...rest, received: received.length });
}

export function defineBrowserSuite(target: ConformanceTarget): void {
  describe(`sockjs-client ${SOCKJS_CLIENT_VERSION} in Chromium against ${target.name}`, () => {
    let server: RunningServer;
    let browser: Browser;
    let pageServer: PageServer;

    before(async () => {
      [server, browser] = await Promise.all([target.start(), launchChromium()]);
      pageServer = await startPageServer(server.url);
    });
    after(async () => {
      await Promise.all([browser?.close(), pageServer?.close(), server?.stop()]);
    });

    /** A fresh context (its own cookies) with a page on `origin` that has `sockjsSession` loaded. */
    async function openPage(origin: PageOrigin): Promise<{ context: BrowserContext; page: Page }> {
      const context = await browser.newContext();
      const page = await context.newPage();
      if (origin === 'cross-origin') {
        await page.goto(pageServer.url);
      } else {
        // The server's own page: the demo chat, which loads /lib/sockjs.js.
        await page.goto(`${server.url}/?transport=websocket`);
        await page.addScriptTag({ content: HARNESS_SOURCE });
      }
      return { context, page };
    }

    async function session(page: Page, plan: SessionPlan): Promise<SessionResult> {
      const options = {
        url: `${server.url}${plan.service}`,
        transport: plan.transport,
        send: plan.send ?? [],
        expect: plan.expect ?? 0,
        closeAfter: plan.expect !== undefined,
        timeoutMs: SESSION_TIMEOUT_MS,
      };
      const json = await page.evaluate(`sockjsSession(${JSON.stringify(JSON.stringify(options))})`);
      return JSON.parse(json as string) as SessionResult;
    }

    /** Opens on exactly the forced transport, and ends as `close` says. */
    function assertOpened(result: SessionResult, transport: ClientTransport): void {
      assert.equal(result.error, null);
      assert.equal(result.timedOut, false, `timed out: ${describeResult(result)}`);
      assert.ok(result.opened, `never opened: ${describeResult(result)}`);
      assert.equal(result.transport, transport);
    }

    function assertRefused(result: SessionResult): void {
      assert.equal(result.error, null);
      assert.equal(result.opened, false, `opened: ${describeResult(result)}`);
      assert.equal(result.transport, null);
      assert.deepEqual(result.close, ALL_TRANSPORTS_FAILED);
    }

    async function assertEchoes(
      page: Page,
      service: string,
      transport: ClientTransport,
      messages: readonly string[],
    ) {
      const result = await session(page, { service, transport, send: messages, expect: messages.length });
      assertOpened(result, transport);
      // Lengths first, so that a difference in a 100 KiB message stays readable.
      assert.deepEqual(
        result.received.map((m) => m.length),
        messages.map((m) => m.length),
      );
      assert.deepEqual(result.received, messages);
      assert.deepEqual(result.close, NORMAL_CLOSURE);
    }

    for (const origin of PAGE_ORIGINS) {
      describe(`from a page ${origin === 'same-origin' ? 'on the server origin' : 'on another origin'}`, {
        concurrency: CONCURRENCY,
        timeout: 10 * TEST_TIMEOUT_MS,
      }, () => {
        for (const transport of CLIENT_TRANSPORTS) {
          // One context and page per transport; its scenarios run at once, each its own connection.
          describe(transport, { concurrency: true }, () => {
            let context: BrowserContext;
            let page: Page;
            before(async () => {
              ({ context, page } = await openPage(origin));
            });
            after(() => context?.close());

            const why = notApplicable(transport, origin);
            if (why !== null) {
              it(`not applicable (${why}): the client refuses it`, { timeout: TEST_TIMEOUT_MS }, async () => {
                assertRefused(await session(page, { service: '/echo', transport }));
                assertRefused(await session(page, { service: '/cookie_needed_echo', transport }));
              });
              return;
            }

            it(
              'connects on it and echoes varied messages exactly, in order',
              { timeout: TEST_TIMEOUT_MS },
              () => assertEchoes(page, '/echo', transport, VARIED_MESSAGES),
            );

            it('/close ends the session with 3000 "Go away!"', { timeout: TEST_TIMEOUT_MS }, async () => {
              const result = await session(page, { service: '/close', transport });
              assertOpened(result, transport);
              assert.deepEqual(result.received, []);
              assert.deepEqual(result.close, { code: 3000, reason: 'Go away!', wasClean: true });
            });

            it('/amplify answers 16 with exactly 2^16 "x"', { timeout: TEST_TIMEOUT_MS }, async () => {
              const result = await session(page, { service: '/amplify', transport, send: ['16'], expect: 1 });
              assertOpened(result, transport);
              assert.equal(result.received.length, 1);
              assert.equal(result.received[0]!.length, 2 ** 16);
              assert.equal(result.received[0], 'x'.repeat(2 ** 16));
            });

            if (transport === 'websocket') {
              it('/disabled_websocket_echo refuses it (the only transport allowed)', {
                timeout: TEST_TIMEOUT_MS,
              }, async () => {
                assertRefused(
                  await session(page, { service: '/disabled_websocket_echo', transport, send: ['x'] }),
                );
              });
            } else {
              it('/disabled_websocket_echo echoes', { timeout: TEST_TIMEOUT_MS }, () =>
                assertEchoes(page, '/disabled_websocket_echo', transport, ['no websocket here', '', 'ok']),
              );
            }

            it(`/cookie_needed_echo echoes${transport === 'websocket' ? '' : ' and sets JSESSIONID'}`, {
              timeout: TEST_TIMEOUT_MS,
            }, async () => {
              await assertEchoes(page, '/cookie_needed_echo', transport, ['cookie please', '', 'thanks']);
              // The HTTP transports carry JSESSIONID for sticky load balancers; a WebSocket
              // handshake sets no cookie (PROTOCOL.md 1.10). Only this service sets one in this context.
              if (transport !== 'websocket') {
                const cookies = await context.cookies(server.url);
                assert.ok(
                  cookies.some((cookie) => cookie.name === 'JSESSIONID'),
                  `JSESSIONID among ${JSON.stringify(cookies.map((c) => c.name))}`,
                );
              }
            });
          });
        }
      });
    }

    it('the demo page at / chats between two clients, showing transports and round trips', {
      timeout: TEST_TIMEOUT_MS,
    }, async () => {
      const context = await browser.newContext();
      try {
        const open = async (name: string, transport: ClientTransport) => {
          const page = await context.newPage();
          await page.goto(`${server.url}/?transport=${transport}&name=${name}`);
          await page.locator('#status[data-state=open]').waitFor({ timeout: SESSION_TIMEOUT_MS });
          assert.equal(await page.locator('#status').textContent(), `connected over ${transport}`);
          return page;
        };
        const alice = await open('alice', 'websocket');
        const bob = await open('bob', 'iframe-xhr-polling');
        const text = `hello from alice ${Date.now()}`;
        await alice.locator('#message').fill(text);
        await alice.locator('#message').press('Enter');
        const atBob = bob.locator('#log li.theirs', { hasText: text });
        await atBob.waitFor({ timeout: SESSION_TIMEOUT_MS });
        assert.match((await atBob.textContent()) ?? '', /^alice.*via websocket$/);
        const atAlice = alice.locator('#log li.mine', { hasText: text });
        await atAlice.waitFor({ timeout: SESSION_TIMEOUT_MS });
        assert.match((await atAlice.textContent()) ?? '', /via websocket, round trip \d+(\.\d)? ms$/);
        const reply = `hi alice, bob here ${Date.now()}`;
        await bob.locator('#message').fill(reply);
        await bob.locator('#send').click();
        await alice.locator('#log li.theirs', { hasText: reply }).waitFor({ timeout: SESSION_TIMEOUT_MS });
        assert.match(
          (await bob
            .locator('#log li.mine', { hasText: reply })
            .textContent({ timeout: SESSION_TIMEOUT_MS })) ?? '',
          /via iframe-xhr-polling, round trip \d+(\.\d)? ms$/,
        );
      } finally {
        await context.close();
      }
    });
  });
}
