/**
 * The package's maps agree: deno.json's `exports` (the JSR package, onto src/) is the list of
 * entries, which tsdown.config.ts builds to dist/<name>.js; package.json's `exports` must point
 * every one of them at its build, types first; deno.json's `imports` and tsconfig.json's `paths`
 * (how the repository's own examples and demos import `sockjs-fetch/...` from Deno, Bun and tsc)
 * must map each to the same source file. Adding an entry: deno.json `exports` and `imports`,
 * package.json `exports`, tsconfig.json `paths`. Also: README shows every examples/readme/ file
 * as it is, and the JSR package has no slow types (`deno publish --dry-run`).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../support/server-process.ts';

const json = (file: string) => JSON.parse(readFileSync(path.join(repoRoot, file), 'utf8'));
const denoJson = json('deno.json') as {
  version: string;
  license: string;
  exports: Record<string, string>;
  imports: Record<string, string>;
};
const packageJson = json('package.json') as {
  version: string;
  license: string;
  exports: Record<string, unknown>;
};
const tsconfig = json('tsconfig.json') as { compilerOptions: { paths: Record<string, string[]> } };

/** `.` → `sockjs-fetch`, `./node` → `sockjs-fetch/node` */
const specifier = (subpath: string) =>
  subpath === '.' ? 'sockjs-fetch' : `sockjs-fetch/${subpath.slice(2)}`;
const buildName = (subpath: string) => (subpath === '.' ? 'index' : subpath.slice(2));

describe('package maps', () => {
  it("package.json's exports point every deno.json entry at its build, types first", () => {
    const expected: Record<string, unknown> = {};
    for (const subpath of Object.keys(denoJson.exports)) {
      const name = buildName(subpath);
      expected[subpath] = { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` };
    }
    expected['./package.json'] = './package.json';
    assert.deepEqual(packageJson.exports, expected);
    for (const [subpath, target] of Object.entries(packageJson.exports)) {
      if (typeof target === 'object' && target !== null)
        assert.equal(Object.keys(target)[0], 'types', subpath);
    }
  });

  it('npm pack and npm publish build first (prepack), and nothing builds on install (prepare)', () => {
    const { scripts } = json('package.json') as { scripts: Record<string, string> };
    assert.equal(scripts['prepack'], 'npm run build');
    assert.equal(scripts['build'], 'tsdown');
    assert.equal(scripts['prepare'], undefined);
  });

  it('the npm and JSR packages have one version and license', () => {
    assert.equal(denoJson.version, packageJson.version);
    assert.equal(denoJson.license, packageJson.license);
  });

  it("deno.json's imports and tsconfig.json's paths map each entry onto its source", () => {
    const imports = Object.fromEntries(
      Object.entries(denoJson.exports).map(([subpath, source]) => [specifier(subpath), source]),
    );
    assert.deepEqual(denoJson.imports, imports);
    const paths = Object.fromEntries(Object.entries(imports).map(([name, source]) => [name, [source]]));
    // Besides the entries, only the repository's own declaration of workerd's module.
    const { 'cloudflare:workers': workerd, ...entryPaths } = tsconfig.compilerOptions.paths;
    assert.deepEqual(entryPaths, paths);
    assert.deepEqual(workerd, ['./types/cloudflare-workers.ts']);
  });

  it('README shows every examples/readme/ file as it is', () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((match) => match[1]);
    for (const file of readdirSync(path.join(repoRoot, 'examples', 'readme'))) {
      const text = readFileSync(path.join(repoRoot, 'examples', 'readme', file), 'utf8');
      assert.ok(blocks.includes(text), `README has no code block equal to examples/readme/${file}`);
    }
  });

  it('the JSR package publishes without slow types (deno publish --dry-run)', () => {
    execFileSync(
      path.join(repoRoot, 'node_modules', '.bin', 'deno'),
      ['publish', '--dry-run', '--allow-dirty'],
      {
        cwd: repoRoot,
        stdio: 'pipe',
        env: { ...process.env, NO_COLOR: '1' },
      },
    );
  });
});
