import { sha256Hex } from '../chain.ts';

/** Name of the manifest inside the bundle folder. */
export const MANIFEST_NAME = 'SHA256SUMS';

/** A file of the bundle with its fingerprint. */
export interface BundleFile {
  name: string;
  sha256: string;
  bytes: number;
}

/** Name, SHA-256 and size of a file's bytes. */
export function describeFile(name: string, data: Uint8Array): BundleFile {
  return { name, sha256: sha256Hex(data), bytes: data.byteLength };
}

/**
 * SHA256SUMS in the exact format `sha256sum` writes and `sha256sum -c` reads: "<hex>  <name>", two
 * spaces (text mode), one line per file, sorted by name in byte order so the file is the same
 * whatever locale built it.
 */
export function manifest(files: readonly BundleFile[]): Uint8Array {
  for (const file of files) {
    // sha256sum escapes names holding a backslash or line break; ours are fixed, so refuse instead.
    if (/[\\\n\r]/.test(file.name)) throw new Error(`unexpected file name: ${file.name}`);
  }
  const lines = [...files]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((file) => `${file.sha256}  ${file.name}\n`);
  return new TextEncoder().encode(lines.join(''));
}
