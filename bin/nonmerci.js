#!/usr/bin/env node
// The nonmerci command. Node >= 22.18 runs the TypeScript sources directly (type stripping).
import { existsSync } from 'node:fs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `nonmerci needs Node.js 22.18 or newer (24 LTS recommended); this is Node.js ${process.versions.node}.\n` +
      'Install a current version from https://nodejs.org, then run "npm install" again.\n',
  );
  process.exit(1);
}

// Settings may live in a .env file in the current folder; variables set in the shell win.
if (existsSync('.env')) process.loadEnvFile('.env');

const { run } = await import('../src/cli/run.ts');
const code = await run(process.argv.slice(2));
if (code >= 0) process.exit(code);
