/**
 * The npm build: one ESM file and one `.d.ts` per public entry in `dist/`. The entries are
 * deno.json's `exports` (the JSR package's map onto `src/`), so both packages publish the same
 * subpaths; package.json's `exports` points each at `dist/<name>.js` (test/package/exports.test.ts
 * checks that the maps agree). `.` builds to `index`, `./node` to `node`, and so on.
 */
import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsdown';

const denoJson = JSON.parse(readFileSync(new URL('./deno.json', import.meta.url), 'utf8')) as {
  exports: Record<string, string>;
};
const entry = Object.fromEntries(
  Object.entries(denoJson.exports).map(([subpath, source]) => [
    subpath === '.' ? 'index' : subpath.slice(2),
    source,
  ]),
);

export default defineConfig({
  entry,
  format: ['esm'],
  // No runtime's builtins are assumed: `node:*`, `bun` and `cloudflare:workers` stay imports, and
  // only the entries of those runtimes import them (wrangler resolves `cloudflare:workers`).
  platform: 'neutral',
  target: 'es2022',
  dts: true,
  clean: true,
  outDir: 'dist',
  deps: { neverBundle: ['bun', 'cloudflare:workers', /^node:/] },
});
