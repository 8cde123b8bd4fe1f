import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SOCKJS_CLIENT_SOURCE, SOCKJS_CLIENT_VERSION } from '../../examples/sockjs-client-bundle.ts';
import { installedSockJSClient } from '../../scripts/embed-sockjs-client.ts';

describe('the embedded sockjs-client browser build (examples/sockjs-client-bundle.ts)', () => {
  it('is the installed package’s dist/sockjs.min.js; if not, run `npm run embed:sockjs-client`', () => {
    const installed = installedSockJSClient();
    assert.equal(SOCKJS_CLIENT_VERSION, installed.version);
    assert.ok(
      SOCKJS_CLIENT_SOURCE === installed.source,
      `the embedded build (${SOCKJS_CLIENT_SOURCE.length} chars) differs from the package (${installed.source.length} chars)`,
    );
    assert.ok(SOCKJS_CLIENT_SOURCE.startsWith(`/* sockjs-client v${SOCKJS_CLIENT_VERSION} `));
  });
});
