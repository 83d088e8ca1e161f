#!/usr/bin/env node
// The nonmerci command. Node >= 22.18 runs the TypeScript sources directly (type stripping).
import { existsSync } from 'node:fs';
import { run } from '../src/cli/run.ts';

// Settings may live in a .env file in the current folder; variables set in the shell win.
if (existsSync('.env')) process.loadEnvFile('.env');

const code = await run(process.argv.slice(2));
if (code >= 0) process.exit(code);
