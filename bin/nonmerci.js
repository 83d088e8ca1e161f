#!/usr/bin/env node
// The nonmerci command. Node ≥ 22.18 runs the TypeScript sources directly (type stripping).
import { run } from '../src/cli/run.ts';

const code = await run(process.argv.slice(2));
if (code >= 0) process.exit(code);
