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

// Settings may live in a .env file in the current folder; variables set in the shell win.
loadDotEnv();

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
