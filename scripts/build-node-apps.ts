/**
 * Builds the repository's Node programs (the demo servers, the Workers runner, the benchmark's
 * plain `ws` server) into `.build/<same path>.mjs`, so that they run on plain `node` as a user's
 * deployed app would: esbuild compiles each entrypoint's own TypeScript and leaves every package
 * as an import, this one included (`sockjs-fetch/node` resolves through package.json's `exports`
 * to `dist/`, the published build). Not through `tsx` at run time: its on-the-fly transform keeps
 * every function's name (`keepNames`), which costs memory and CPU per session that no production
 * build has.
 *   npm run build:apps     (after `npm run build`, which makes dist/; `npm run build:all` does both)
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The Node programs `npm start`, the `start:*` scripts, the tests and the benchmarks run. */
export const NODE_APPS = [
  'node/server.ts',
  'examples/hono-node.ts',
  'workers/dev.ts',
  'bench/servers/ws-echo-node.ts',
  'cluster/start.ts',
  'bench/servers/floor-node.ts',
] as const;

/** Where `entry` (relative to `root`) is built to. */
export function builtAppPath(root: string, entry: string): string {
  return path.join(root, '.build', entry.replace(/\.ts$/, '.mjs'));
}

/** Builds `entry` (relative to `root`) into `<root>/.build/`; returns the built file. */
export async function buildNodeApp(root: string, entry: string): Promise<string> {
  const outfile = builtAppPath(root, entry);
  mkdirSync(path.dirname(outfile), { recursive: true });
  await build({
    entryPoints: [path.join(root, entry)],
    outfile,
    bundle: true,
    packages: 'external',
    // tsconfig.json maps these onto src/ for type checking; at run time they are the package.
    external: ['sockjs-fetch', 'sockjs-fetch/*'],
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node}`,
    logLevel: 'error',
  });
  return outfile;
}

/** Everything dist/ and the built apps are made from. */
const BUILD_INPUTS = [
  'src',
  'node',
  'examples',
  'workers',
  'bench/servers',
  'cluster',
  'package.json',
  'deno.json',
  'tsdown.config.ts',
  'scripts/build-node-apps.ts',
];

/** A hash of every build input: `npm run build:all` records it in `.build/inputs.hash`. */
export function buildInputsHash(root: string): string {
  const hash = createHash('sha1');
  const walk = (file: string) => {
    if (statSync(file).isDirectory())
      for (const name of readdirSync(file).sort()) walk(path.join(file, name));
    else hash.update(file).update(readFileSync(file));
  };
  for (const input of BUILD_INPUTS) walk(path.join(root, input));
  return hash.digest('hex').slice(0, 16);
}

export const inputsHashFile = (root: string): string => path.join(root, '.build', 'inputs.hash');

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  // Hashed first: an edit made while building leaves the record stale, never wrongly fresh.
  const inputs = buildInputsHash(root);
  for (const entry of NODE_APPS) await buildNodeApp(root, entry);
  writeFileSync(inputsHashFile(root), inputs);
}
