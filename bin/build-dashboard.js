#!/usr/bin/env node
// Builds the dashboard (dashboard/ → dashboard/dist) when it is missing or older than its sources.
// Runs after "npm install" and before "npm start", so the README's two commands do everything.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const dashboard = join(root, 'dashboard');
const built = join(dashboard, 'dist', 'index.html');
const sources = [
  join(dashboard, 'src'),
  join(dashboard, 'index.html'),
  join(dashboard, 'vite.config.ts'),
  join(root, 'src', 'web', 'api', 'contract.ts'),
];

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const force = process.argv.includes('--force');
if (!force && existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources.map(newest))) {
  process.exit(0);
}

let build;
try {
  ({ build } = await import('vite'));
} catch {
  process.stderr.write(
    'nonmerci: the dashboard cannot be built because Vite is not installed. Run "npm install" in the nonmerci folder.\n',
  );
  process.exit(existsSync(built) ? 0 : 1);
}
process.stdout.write('nonmerci: building the dashboard…\n');
await build({ configFile: join(dashboard, 'vite.config.ts'), logLevel: 'warn' });
// Compressed once here, served as they are (the server's preCompressed): a phone on a weak
// network loads a third of the bytes, and the server spends no CPU compressing.
const assets = join(dashboard, 'dist', 'assets');
for (const name of readdirSync(assets).filter((n) => /\.(js|css)$/.test(n))) {
  const file = join(assets, name);
  const bytes = readFileSync(file);
  writeFileSync(
    `${file}.br`,
    brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
  );
  writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
}
process.stdout.write('nonmerci: dashboard built in dashboard/dist.\n');
