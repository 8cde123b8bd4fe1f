/**
 * Node servers under test run as JavaScript built ahead of time, as they would be deployed,
 * not through `tsx`: its on-the-fly transform keeps every function's name (`keepNames`), which
 * gives each closure a property of its own and costs memory and CPU per session that no
 * production build has. esbuild (the compiler tsx itself uses) bundles the entrypoint's own
 * TypeScript and leaves npm packages as imports.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

/** Builds `entry` (relative to `root`) into `<root>/.bench-build/`; returns the built file. */
export async function buildNodeEntry(root: string, entry: string): Promise<string> {
  const outDir = path.join(root, '.bench-build');
  mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, `${entry.replace(/[/\\]/g, '-').replace(/\.ts$/, '')}.mjs`);
  await build({
    entryPoints: [path.join(root, entry)],
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node}`,
    logLevel: 'error',
  });
  return outfile;
}
