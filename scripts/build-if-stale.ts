/**
 * Builds the package (dist/) and the Node apps (.build/) only when a build input changed since
 * the last build: `ensureBuilt()` runs `npm run build:all` holding a lock directory, so that
 * callers starting at once (test files, a `start:*` script beside running tests) build only once
 * and never start a server on a half-written dist/.
 *   node --import tsx scripts/build-if-stale.ts     (what the `start:*` scripts run first)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildInputsHash, builtAppPath, inputsHashFile } from './build-node-apps.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

const LOCK = path.join(repoRoot, '.build.lock');
/** A lock older than this was left by a killed build. */
const STALE_LOCK_MS = 180_000;

function isFresh(): boolean {
  const file = inputsHashFile(repoRoot);
  // dist/ is checked too: `npm run build` alone (or a removed dist/) leaves the record behind.
  return (
    existsSync(file) &&
    existsSync(path.join(repoRoot, 'dist', 'index.js')) &&
    readFileSync(file, 'utf8') === buildInputsHash(repoRoot)
  );
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function tryLock(): boolean {
  try {
    mkdirSync(LOCK);
    return true;
  } catch {
    const lock = statSync(LOCK, { throwIfNoEntry: false });
    if (lock !== undefined && Date.now() - lock.mtimeMs > STALE_LOCK_MS) {
      rmSync(LOCK, { recursive: true, force: true });
    }
    return false;
  }
}

let checked = false;

export function ensureBuilt(): void {
  if (checked) return;
  while (!isFresh()) {
    if (!tryLock()) {
      sleep(250);
      continue;
    }
    try {
      if (isFresh()) break;
      const build = spawnSync('npm', ['run', 'build:all'], { cwd: repoRoot, encoding: 'utf8' });
      if (build.status !== 0) throw new Error(`npm run build:all failed:\n${build.stdout}\n${build.stderr}`);
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
  checked = true;
}

/** The built form of a Node app of the repository (see scripts/build-node-apps.ts). */
export function builtApp(entry: string): string {
  ensureBuilt();
  return builtAppPath(repoRoot, entry);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureBuilt();
