/**
 * The package as users get it: `npm pack` of the build (dist/), checked by
 * publint and arethetypeswrong, installed into a fresh project outside the repository, and run
 * there the way each kind of user runs it, answering real HTTP and WebSocket on 127.0.0.1: the
 * README's snippets (examples/readme/) on plain Node (ESM and CommonJS, the sockjs-node compat
 * API), a Hono app with its own `hono`, Deno and Bun importing the npm package, and a Worker
 * bundled by `wrangler deploy --dry-run` and served by Miniflare. The snippets are type-checked
 * against the installed declarations with strict `tsc` (`nodenext` and `bundler`, no
 * `skipLibCheck`, `exactOptionalPropertyTypes`, no DOM lib, no Bun or Deno types), the Worker with
 * `wrangler types` and no DOM. Toolchains (tsc, deno, bun, wrangler, miniflare) are the
 * repository's; the project installs only the tarball and what a user adds (`hono`,
 * `@types/node`), from npm's cache when it has them.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Miniflare } from 'miniflare';
import { ensureBuilt } from '../support/build.ts';
import { repoRoot, startServer } from '../support/server-process.ts';
import { toWsUrl, WsClient } from '../support/ws-client.ts';

const bin = (name: string) => path.join(repoRoot, 'node_modules', '.bin', name);
const snippet = (name: string) => path.join(repoRoot, 'examples', 'readme', name);
const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};

function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
): string {
  try {
    return execFileSync(command, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', ...env },
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

/** The greeting, `/info` and an echo over the SockJS WebSocket transport of `prefix`. */
async function assertSockJS(base: string, prefix: string, welcome?: RegExp): Promise<void> {
  const greeting = await fetch(`${base}${prefix}`);
  assert.equal(greeting.status, 200);
  assert.equal(await greeting.text(), 'Welcome to SockJS!\n');
  const info = (await (await fetch(`${base}${prefix}/info`)).json()) as { websocket: boolean };
  assert.equal(info.websocket, true);

  const ws = await WsClient.connect(`${toWsUrl(base)}${prefix}/000/${crypto.randomUUID()}/websocket`, 5000);
  try {
    assert.equal(await ws.next(5000), 'o');
    if (welcome) assert.match(await ws.next(5000), welcome);
    ws.send(JSON.stringify(['hello from the package test']));
    assert.equal(await ws.next(5000), 'a["hello from the package test"]');
  } finally {
    await ws.close();
  }
}

/** Runs a server script of the project and checks it as a SockJS server. */
async function assertServes(
  command: string,
  args: readonly string[],
  cwd: string,
  prefix: string,
  welcome?: RegExp,
): Promise<void> {
  const server = await startServer({ command, args, cwd, env: { PORT: '0' }, startTimeoutMs: 30_000 });
  try {
    await assertSockJS(server.url, prefix, welcome);
  } finally {
    await server.stop();
  }
}

describe('the packed package', { timeout: 240_000 }, () => {
  let work = '';
  let tarball = '';
  let project = '';

  before(() => {
    work = mkdtempSync(path.join(tmpdir(), 'sockjs-fetch-package-'));
    // What `npm pack` / `npm publish` upload after `prepack` (= `npm run build`, checked in
    // exports.test.ts). The build runs here through ensureBuilt() rather than `prepack`: it holds
    // the lock the other test files take before starting a server on dist/, which an unlocked
    // rebuild (tsdown empties dist/ first) would pull from under them.
    ensureBuilt();
    run('npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--silent'], repoRoot);
    const file = readdirSync(work).find((name) => name.endsWith('.tgz'));
    assert.ok(file, 'npm pack made no tarball');
    tarball = path.join(work, file);

    project = path.join(work, 'app');
    mkdirSync(project);
    writeFileSync(
      path.join(project, 'package.json'),
      JSON.stringify({ name: 'app', private: true, type: 'module' }),
    );
    // What a user adds: the package, their own `hono`, and Node's types for `tsc`.
    run(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        tarball,
        `hono@${pkg.devDependencies['hono']}`,
        `@types/node@${pkg.devDependencies['@types/node']}`,
      ],
      project,
    );
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ships only dist/, README and LICENSE, and passes publint and arethetypeswrong', () => {
    const files = run('tar', ['tzf', tarball], work).trim().split('\n').sort();
    const outside = files.filter(
      (file) => !/^package\/(dist\/[^/]+\.(js|d\.ts)|README\.md|LICENSE|package\.json)$/.test(file),
    );
    assert.deepEqual(outside, []);
    run(bin('publint'), ['run', tarball, '--strict'], work);
    // ESM only: `require()` of it is Node's require(esm) (engines: ^20.19 || >=22.12), which
    // attw's node16-from-CJS mode does not model; node10 resolution ignores `exports`.
    run(bin('attw'), [tarball, '--profile', 'esm-only'], work);
  });

  it('loads ws, @hono/node-server and node:* only from ./node and ./compat, cloudflare:workers only from ./workers', () => {
    const dist = path.join(project, 'node_modules', 'sockjs-fetch', 'dist');
    /** Every bare specifier `file` imports, following its relative imports. */
    const packagesImported = (file: string, seen = new Set<string>()): Set<string> => {
      const found = new Set<string>();
      if (seen.has(file)) return found;
      seen.add(file);
      const source = readFileSync(path.join(dist, file), 'utf8');
      for (const [, staticImport, dynamicImport] of source.matchAll(
        /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*"([^"]+)"|import\s*\(\s*"([^"]+)"/g,
      )) {
        const specifier = staticImport ?? dynamicImport;
        if (specifier === undefined) continue;
        if (specifier.startsWith('./'))
          for (const name of packagesImported(specifier.slice(2), seen)) found.add(name);
        else found.add(specifier);
      }
      return found;
    };
    const imports = (entry: string) => [...packagesImported(`${entry}.js`)].sort();
    for (const entry of ['index', 'deno', 'bun', 'hono']) assert.deepEqual(imports(entry), [], entry);
    // workerd's module, which wrangler resolves; no other file (shared chunks included) names it.
    assert.deepEqual(imports('workers'), ['cloudflare:workers']);
    const namingWorkerd = readdirSync(dist).filter((file) =>
      readFileSync(path.join(dist, file), 'utf8').includes('cloudflare:workers'),
    );
    assert.deepEqual(namingWorkerd.sort(), ['workers.d.ts', 'workers.js']);
    assert.deepEqual(imports('node'), [
      '@hono/node-server',
      '@hono/node-server/utils/response',
      'node:http',
      'ws',
    ]);
  });

  it('installs one hono, the user’s: the package brings none of its own', () => {
    assert.equal(existsSync(path.join(project, 'node_modules', 'sockjs-fetch', 'node_modules')), false);
    const installed = JSON.parse(
      readFileSync(path.join(project, 'node_modules', '.package-lock.json'), 'utf8'),
    ) as {
      packages: Record<string, unknown>;
    };
    assert.deepEqual(
      Object.keys(installed.packages).filter((key) => key.endsWith('/hono')),
      ['node_modules/hono'],
    );
  });

  it('runs the README Node snippet (ESM) on plain node', async () => {
    cpSync(snippet('node.mjs'), path.join(project, 'app.mjs'));
    await assertServes(
      process.execPath,
      ['app.mjs'],
      project,
      '/chat',
      /^a\["welcome, you are [0-9a-f-]{36}"\]$/,
    );
  });

  it('runs attach() on an existing http.Server', async () => {
    cpSync(snippet('node-attach.mjs'), path.join(project, 'attach.mjs'));
    const server = await startServer({
      command: process.execPath,
      args: ['attach.mjs'],
      cwd: project,
      env: { PORT: '0' },
    });
    try {
      await assertSockJS(server.url, '/echo');
      assert.equal(await (await fetch(`${server.url}/other`)).text(), 'the rest of the app\n');
    } finally {
      await server.stop();
    }
  });

  it('require()s `.` and `./node` from CommonJS', async () => {
    cpSync(snippet('node.cjs'), path.join(project, 'app.cjs'));
    await assertServes(process.execPath, ['app.cjs'], project, '/echo');
  });

  it('runs a sockjs-node app from CommonJS through `./compat` (installHandlers)', async () => {
    cpSync(snippet('compat.cjs'), path.join(project, 'compat.cjs'));
    await assertServes(process.execPath, ['compat.cjs'], project, '/echo');
  });

  it('runs a Hono app with the user’s own hono on Node (compiled by tsc, run by node)', async () => {
    mkdirSync(path.join(project, 'hono'), { recursive: true });
    cpSync(snippet('hono-node.ts'), path.join(project, 'hono', 'app.ts'));
    writeFileSync(
      path.join(project, 'hono', 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          target: 'es2022',
          strict: true,
          outDir: 'out',
          types: ['node'],
        },
        files: ['app.ts'],
      }),
    );
    run(bin('tsc'), ['-p', 'hono'], project);
    await assertServes(process.execPath, ['hono/out/app.js'], project, '/echo');
    const server = await startServer({
      command: process.execPath,
      args: ['hono/out/app.js'],
      cwd: project,
      env: { PORT: '0' },
    });
    try {
      assert.equal(await (await fetch(`${server.url}/`)).text(), 'Hello from Hono');
    } finally {
      await server.stop();
    }
  });

  for (const moduleResolution of ['nodenext', 'bundler'] as const) {
    it(`type-checks the snippets and every entry with strict tsc (${moduleResolution}), no DOM, Bun or Deno types`, () => {
      const dir = path.join(project, `tsc-${moduleResolution}`);
      mkdirSync(dir, { recursive: true });
      for (const file of ['node.mjs', 'node-attach.mjs', 'node.cjs', 'compat.cjs', 'hono-node.ts']) {
        cpSync(snippet(file), path.join(dir, file));
      }
      // Every entry's declarations, checked (skipLibCheck: false) in a program without DOM,
      // @types/bun or @types/deno. `./workers` extends `DurableObject` from `cloudflare:workers`,
      // which only Workers types declare: the Worker test below checks it against them.
      writeFileSync(
        path.join(dir, 'entries.ts'),
        [
          `import type * as core from 'sockjs-fetch';`,
          ...['node', 'compat', 'deno', 'bun', 'hono', 'redis'].map(
            (entry) => `import type * as ${entry} from 'sockjs-fetch/${entry}';`,
          ),
          `export type Entries = [typeof core, typeof node, typeof compat, typeof deno, typeof bun, typeof hono, typeof redis];`,
          '',
        ].join('\n'),
      );
      writeFileSync(
        path.join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            module: moduleResolution === 'nodenext' ? 'nodenext' : 'preserve',
            moduleResolution,
            target: 'es2022',
            lib: ['es2022'],
            types: ['node'],
            strict: true,
            exactOptionalPropertyTypes: true,
            noUncheckedIndexedAccess: true,
            skipLibCheck: false,
            allowJs: true,
            checkJs: true,
            noEmit: true,
          },
          include: ['*.ts', '*.mjs', '*.cjs'],
        }),
      );
      run(bin('tsc'), ['-p', dir], project);
    });
  }

  it('runs the README Deno snippet on Deno, importing the npm package', async () => {
    cpSync(snippet('deno.ts'), path.join(project, 'deno-main.ts'));
    run(bin('deno'), ['check', 'deno-main.ts'], project);
    await assertServes(bin('deno'), ['run', '--allow-net', '--allow-env', 'deno-main.ts'], project, '/echo');
  });

  it('runs the README Bun snippet on Bun', async () => {
    cpSync(snippet('bun.ts'), path.join(project, 'bun-main.ts'));
    await assertServes(bin('bun'), ['run', 'bun-main.ts'], project, '/echo');
  });

  it('bundles the README Worker with wrangler (no Node dependencies), type-checks it with workerd types and no DOM, and serves it on Miniflare', async () => {
    const dir = path.join(project, 'worker');
    mkdirSync(path.join(dir, 'src'), { recursive: true });
    cpSync(snippet('worker.ts'), path.join(dir, 'src', 'index.ts'));
    cpSync(snippet('wrangler.toml'), path.join(dir, 'wrangler.toml'));

    run(bin('wrangler'), ['deploy', '--dry-run', '--outdir', 'dist'], dir);
    const bundle = readFileSync(path.join(dir, 'dist', 'index.js'), 'utf8');
    for (const nodeOnly of ['node_modules/ws/', '@hono/node-server', 'node:http', 'from "ws"']) {
      assert.equal(bundle.includes(nodeOnly), false, `the Worker bundle contains ${nodeOnly}`);
    }

    // The full generated types, `Env` included: it names SockJSSessions in a
    // `DurableObjectNamespace<…>`, whose constraint wants a class extending `DurableObject` from
    // `cloudflare:workers`, so with skipLibCheck off this checks that the package's class is one.
    run(bin('wrangler'), ['types'], dir);
    assert.match(
      readFileSync(path.join(dir, 'worker-configuration.d.ts'), 'utf8'),
      /SOCKJS: DurableObjectNamespace<import\("\.\/src\/index"\)\.SockJSSessions>/,
    );
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'es2022',
          moduleResolution: 'bundler',
          target: 'es2022',
          lib: ['es2022'],
          types: [],
          strict: true,
          exactOptionalPropertyTypes: true,
          skipLibCheck: false,
          noEmit: true,
        },
        include: ['src', 'worker-configuration.d.ts'],
      }),
    );
    run(bin('tsc'), ['-p', dir], project);

    const miniflare = new Miniflare({
      modules: true,
      scriptPath: path.join(dir, 'dist', 'index.js'),
      modulesRoot: path.join(dir, 'dist'),
      compatibilityDate: '2026-04-20',
      durableObjects: { SOCKJS: { className: 'SockJSSessions', useSQLite: true } },
      host: '127.0.0.1',
      port: 0,
      cf: false,
    });
    try {
      const url = await miniflare.ready;
      await assertSockJS(url.origin, '/chat');
    } finally {
      await miniflare.dispose();
    }
  });
});
