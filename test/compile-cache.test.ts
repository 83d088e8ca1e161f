import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/nonmerci.js', import.meta.url));
const RUN_TS = new URL('../src/cli/run.ts', import.meta.url).href;
const TOO_OLD = Number(process.versions.node.split('.')[0]) < 23;

/** Runs `nonmerci help` and returns what Node said about its compile cache. */
function helpWithCacheLog(env: NodeJS.ProcessEnv = {}): string {
  const clean = { ...process.env };
  delete clean.NODE_COMPILE_CACHE;
  delete clean.NODE_DISABLE_COMPILE_CACHE;
  const result = spawnSync(process.execPath, [BIN, 'help'], {
    env: { ...clean, NODE_DEBUG_NATIVE: 'COMPILE_CACHE', ...env },
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /nonmerci/);
  return result.stderr;
}

describe('compile cache of the nonmerci command', { skip: TOO_OLD && 'Node 23 or newer' }, () => {
  it('starts from sources already stripped of their types, once one run has cached them', () => {
    helpWithCacheLog();
    const said = helpWithCacheLog();
    assert.ok(
      said.includes(`retrieving transpile cache for StrippedTypeScript ${RUN_TS}...success`),
      said.slice(0, 2000),
    );
  });

  it('stays off with NODE_DISABLE_COMPILE_CACHE', () => {
    const said = helpWithCacheLog({ NODE_DISABLE_COMPILE_CACHE: '1' });
    assert.ok(!said.includes('retrieving transpile cache'), said.slice(0, 2000));
  });
});
