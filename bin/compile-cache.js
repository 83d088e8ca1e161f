// Node's compile cache (https://nodejs.org/api/module.html#module-compile-cache) for the nonmerci
// command: each source is kept stripped of its TypeScript types and compiled, and checked against
// its content at every start. A process that finds all its sources there never loads Node's type
// stripper, which otherwise stays in memory for the life of the process (about 17 MB), and starts
// faster. Plain JavaScript, so that it runs before any TypeScript is loaded.
import module from 'node:module';
import { fileURLToPath } from 'node:url';

/** Beside the installed packages: written by whoever ran "npm install", read by every start. */
export const COMPILE_CACHE_DIR = fileURLToPath(
  new URL('../node_modules/.cache/nonmerci-compile', import.meta.url),
);

/**
 * Turns the cache on, unless NODE_COMPILE_CACHE (set by the Docker image and the systemd unit)
 * already did, or NODE_DISABLE_COMPILE_CACHE turns it off. A folder that cannot be written only
 * leaves the cache off.
 */
export function enableCompileCache() {
  if (process.env.NODE_COMPILE_CACHE || process.env.NODE_DISABLE_COMPILE_CACHE) return;
  module.enableCompileCache?.(COMPILE_CACHE_DIR);
}

/** Writes what this process compiled so far (Node also does at exit). */
export function flushCompileCache() {
  module.flushCompileCache?.();
}
