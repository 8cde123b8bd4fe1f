/**
 * Takes docs/demo.png: the demo chat page in headless Chromium, two clients side by side on
 * different transports exchanging messages. Serves the demo (services and page) on Node in this
 * process, on 127.0.0.1 and a free port; needs /usr/bin/chromium (scripts/install-chromium.sh).
 *   npm run screenshot
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withDemoPages } from '../examples/demo-app.ts';
import { createDemoServices } from '../examples/demo-services.ts';
import { serve } from '../src/adapters/node.ts';
import { launchChromium } from '../test/browser/chromium.ts';

const output = fileURLToPath(new URL('../docs/demo.png', import.meta.url));
const clients = [
  { name: 'alice', transport: 'websocket' },
  { name: 'bob', transport: 'xhr-streaming' },
] as const;
const conversation: Array<[speaker: 0 | 1, text: string]> = [
  [0, 'Hi Bob! I am on a WebSocket.'],
  [1, 'Hello Alice! Your messages reach me over one long xhr-streaming response.'],
  [0, 'Each of us sees the round trip of our own messages.'],
  [1, 'Same chat, any transport.'],
];

const services = createDemoServices();
const running = await serve({
  fetch: withDemoPages((request, runtime) => services.handle(request, runtime)),
});
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 560 } });
  const frames = clients
    .map(
      ({ name, transport }, i) =>
        `<iframe id="c${i}" title="${name}" src="${running.url}/?transport=${transport}&name=${name}"></iframe>`,
    )
    .join('');
  await page.setContent(`<!DOCTYPE html>
<style>
  body { margin: 0; padding: 12px; display: flex; gap: 12px; background: #cfd5de; }
  iframe { flex: 1; height: 536px; border: 0; border-radius: 8px; background: #f4f5f7; }
</style>
${frames}`);
  const chat = clients.map((_, i) => page.frameLocator(`#c${i}`));
  for (const [i, client] of chat.entries()) {
    await client.locator('#status[data-state=open]').waitFor({ timeout: 20_000 });
    await client.locator('#message').waitFor({ state: 'visible' });
    console.log(`${clients[i]!.name}: ${await client.locator('#status').textContent()}`);
  }
  for (const [speaker, text] of conversation) {
    await chat[speaker]!.locator('#message').fill(text);
    await chat[speaker]!.locator('#message').press('Enter');
    // Shown on both sides (the sender's with its round trip) before the next one is sent.
    await chat[speaker]!.locator('#log li.mine', { hasText: text }).waitFor({ timeout: 20_000 });
    await chat[1 - speaker]!.locator('#log li.theirs', { hasText: text }).waitFor({ timeout: 20_000 });
  }
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.screenshot({ path: output });
  console.log(`wrote ${path.relative(process.cwd(), output)}`);
} finally {
  await browser.close();
  for (const server of services.servers) server.closeAll();
  await running.close();
}
