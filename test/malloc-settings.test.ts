import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/nonmerci.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'nonmerci-malloc-'));
/** Loaded first by every Node process started: says what it was given, and which process it is. */
const REPORT = join(dir, 'report.mjs');
writeFileSync(
  REPORT,
  'const e = process.env;\n' +
    'process.stderr.write(`malloc=${e.MALLOC_ARENA_MAX},${e.MALLOC_MMAP_THRESHOLD_},${e.MALLOC_TRIM_THRESHOLD_} pid=${process.pid}\\n`);\n',
);

/** The processes a command ran as: [its malloc settings, pid] for each start of Node. */
function starts(args: string[], env: NodeJS.ProcessEnv = {}): Array<[string, string]> {
  const clean = { ...process.env };
  for (const name of ['MALLOC_ARENA_MAX', 'MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_'])
    delete clean[name];
  delete clean.GLIBC_TUNABLES;
  const result = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...clean, NODE_OPTIONS: `--import=${REPORT}`, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return [...result.stderr.matchAll(/^malloc=(\S+) pid=(\d+)$/gm)].map((m) => [m[1]!, m[2]!]);
}

const UNSUPPORTED =
  process.platform !== 'linux'
    ? 'glibc is Linux only'
    : typeof (process as { execve?: unknown }).execve !== 'function' &&
      'Node without process.execve';

describe('malloc settings of the server', { skip: UNSUPPORTED }, () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  // An unknown option stops `serve` right after the start, as a usage error.
  const SERVE = ['serve', '--no-such-option'];

  it('starts the server again in the same process, with two arenas and fixed thresholds', () => {
    const seen = starts(SERVE);
    assert.equal(seen.length, 2, JSON.stringify(seen));
    assert.deepEqual(
      seen.map(([arenas]) => arenas),
      ['undefined,undefined,undefined', '2,131072,131072'],
    );
    assert.equal(seen[0]![1], seen[1]![1], 'the same process, not a child');
  });

  it('keeps what the environment says', () => {
    assert.deepEqual(
      starts(SERVE, { MALLOC_ARENA_MAX: '8' }).map(([arenas]) => arenas),
      ['8,undefined,undefined'],
    );
    assert.equal(starts(SERVE, { MALLOC_MMAP_THRESHOLD_: '65536' }).length, 1);
    assert.equal(starts(SERVE, { GLIBC_TUNABLES: 'glibc.malloc.arena_max=4' }).length, 1);
  });

  it('leaves the other commands as they start', () => {
    assert.deepEqual(
      starts(['help']).map(([arenas]) => arenas),
      ['undefined,undefined,undefined'],
    );
  });
});
