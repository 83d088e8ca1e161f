#!/usr/bin/env node
// Fills Node's compile cache with the sources of every nonmerci command and of the server (see
// compile-cache.js), so that the first "npm start" after an install already starts without the
// type stripper. Runs after "npm install" and before "npm start"; sources already cached cost
// nothing. Importing them runs nothing: each command's work starts only when it is called.
import { readdirSync } from 'node:fs';
import { enableCompileCache, flushCompileCache } from './compile-cache.js';

enableCompileCache();
const cli = new URL('../src/cli/', import.meta.url);
const sources = [
  ...readdirSync(cli)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
    .sort()
    .map((name) => new URL(name, cli).href),
  new URL('../src/main.ts', import.meta.url).href,
];
const failed = [];
for (const source of sources) {
  try {
    await import(source);
  } catch (error) {
    failed.push(`${source.split('/src/')[1]}: ${error.message}`);
  }
}
flushCompileCache();
// A cold cache only costs memory and start-up time: say so, and let the install go on.
if (failed.length > 0)
  process.stderr.write(
    `nonmerci: some sources were not prepared ahead (they will be when first used):\n  ${failed.join('\n  ')}\n`,
  );
