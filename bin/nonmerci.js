#!/usr/bin/env -S node --max-semi-space-size=8 --max-old-space-size=1536
// The nonmerci command. Node >= 22.18 runs the TypeScript sources directly (type stripping), kept
// stripped and compiled in Node's compile cache (compile-cache.js).
import { readFileSync } from 'node:fs';
// Not a named import: an old Node without parseEnv must reach the version check below.
import util from 'node:util';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `nonmerci needs Node.js 22.18 or newer (24 LTS recommended); this is Node.js ${process.versions.node}.\n` +
      'Install a current version from https://nodejs.org, then run "npm install" again.\n',
  );
  process.exit(1);
}

/**
 * How glibc's malloc serves the server: two arenas, and blocks of 128 KiB or more mapped on their
 * own and given back when freed. By default glibc gives each thread that allocates (SQLite's
 * checkpoint thread, libuv's pool, V8's helpers) an arena of its own, and raises the size it maps
 * separately as big blocks are freed, keeping their pages in the heap: under a flood the process
 * held 7 to 18 MB more (README, Memory).
 */
const MALLOC_SETTINGS = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '131072',
  MALLOC_TRIM_THRESHOLD_: '131072',
};

tuneMalloc();

// Settings may live in a .env file in the current folder; variables set in the shell win.
loadDotEnv();

/**
 * The server starts again in its own process (same PID, same arguments) with MALLOC_SETTINGS,
 * unless the environment already says how malloc should work. glibc reads them only when a process
 * starts, hence the exec; nothing has been read or written yet at this point. Elsewhere than Linux
 * (or on a Node without process.execve) nothing changes; musl ignores the variables.
 */
function tuneMalloc() {
  if (process.argv[2] !== 'serve' || process.platform !== 'linux') return;
  if (typeof process.execve !== 'function') return;
  if (Object.keys(MALLOC_SETTINGS).some((name) => process.env[name] !== undefined)) return;
  if (process.env.GLIBC_TUNABLES?.includes('glibc.malloc.')) return;
  process.execve(
    process.execPath,
    [process.execPath, ...process.execArgv, ...process.argv.slice(1)],
    { ...process.env, ...MALLOC_SETTINGS },
  );
}

/**
 * Reads ./.env like process.loadEnvFile, but drops the byte-order mark some Windows editors write
 * (it would glue itself to the first variable's name, which would then be silently ignored), and
 * stops with one message, not a stack trace, when .env cannot be read (a folder, no permission).
 */
function loadDotEnv() {
  let text;
  try {
    text = readFileSync('.env', 'utf8');
  } catch (error) {
    if (error.code === 'ENOENT') return;
    const why =
      error.code === 'EISDIR'
        ? '.env is a folder, but settings are read from a file named .env'
        : `.env cannot be read (${error.message})`;
    process.stderr.write(
      `nonmerci: ${why}; remove or rename it, then write your settings in a .env file (copy .env.example), or set them in the environment.\n`,
    );
    process.exit(1);
  }
  for (const [name, value] of Object.entries(util.parseEnv(text.replace(/^\uFEFF/, ''))))
    if (process.env[name] === undefined) process.env[name] = value;
}

const { enableCompileCache, flushCompileCache } = await import('./compile-cache.js');
enableCompileCache();
const { run } = await import('../src/cli/run.ts');
// A long-running command (the server) writes what it compiled once started, not only at exit.
setTimeout(flushCompileCache, 10_000).unref();
const code = await run(process.argv.slice(2));
if (code >= 0) process.exit(code);
