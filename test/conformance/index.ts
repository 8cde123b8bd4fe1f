/**
 * The SockJS protocol conformance suite (PROTOCOL.md section 1), runnable against any target
 * that can start a server with the standard test services.
 */
import { after, before, describe } from 'node:test';
import type { ConformanceTarget } from '../support/server-process.ts';
import { SuiteContext } from './common.ts';
import { defineCorsTests } from './cors.ts';
import { defineEventSourceTests } from './eventsource.ts';
import { defineGreetingAndRoutingTests } from './greeting-and-routing.ts';
import { defineHtmlFileTests } from './htmlfile.ts';
import { defineHttpFramingTests } from './http-framing.ts';
import { defineIframeTests } from './iframe.ts';
import { defineInfoTests } from './info.ts';
import { defineJsessionidTests } from './jsessionid.ts';
import { defineJsonEncodingTests } from './json-encoding.ts';
import { defineJsonpTests } from './jsonp.ts';
import { defineRawWebsocketTests } from './raw-websocket.ts';
import { defineServiceTests } from './services.ts';
import { defineSessionLifecycleTests } from './session-lifecycle.ts';
import { defineTimerTests } from './timers.ts';
import { defineWebsocketTests } from './websocket.ts';
import { defineXhrPollingTests } from './xhr-polling.ts';
import { defineXhrStreamingTests } from './xhr-streaming.ts';

export type { ConformanceTarget, TargetCapabilities } from '../support/server-process.ts';

/**
 * Every target runs every test. Where its platform differs from Node's below the server
 * (`TargetCapabilities`), the affected tests check what that platform can guarantee instead, and
 * the suite's title and theirs say so.
 */
export function defineConformanceSuite(target: ConformanceTarget): void {
  const ctx = new SuiteContext(target);
  const notes = ctx.capabilityNotes;
  const title = `SockJS protocol conformance: ${target.name}`;
  describe(notes.length === 0 ? title : `${title} [${notes.join(', ')}]`, () => {
    before(() => ctx.start());
    after(() => ctx.stop());

    defineGreetingAndRoutingTests(ctx);
    defineInfoTests(ctx);
    defineIframeTests(ctx);
    defineCorsTests(ctx);
    defineXhrPollingTests(ctx);
    defineXhrStreamingTests(ctx);
    defineEventSourceTests(ctx);
    defineHtmlFileTests(ctx);
    defineJsonpTests(ctx);
    defineWebsocketTests(ctx);
    defineRawWebsocketTests(ctx);
    defineSessionLifecycleTests(ctx);
    defineJsessionidTests(ctx);
    defineJsonEncodingTests(ctx);
    defineHttpFramingTests(ctx);
    defineServiceTests(ctx);
    defineTimerTests(ctx);
  });
}
