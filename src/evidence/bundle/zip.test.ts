import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { unzipSync } from 'fflate';
import { deterministicZip } from './zip.ts';

const files = [
  { name: 'a.txt', data: new TextEncoder().encode('bonjour') },
  { name: 'summary.pdf', data: new Uint8Array([37, 80, 68, 70]) },
];
const at = Date.UTC(2026, 10, 1, 22, 5, 12);

describe('deterministicZip', () => {
  it('puts the files in the folder', () => {
    const out = unzipSync(deterministicZip('folder', files, at, 'Europe/Paris'));
    assert.deepEqual(Object.keys(out), ['folder/a.txt', 'folder/summary.pdf']);
    assert.equal(new TextDecoder().decode(out['folder/a.txt']), 'bonjour');
  });

  it('gives the same bytes whatever the server’s time zone', () => {
    const saved = process.env.TZ;
    try {
      process.env.TZ = 'UTC';
      const utc = deterministicZip('f', files, at, 'Europe/Paris');
      process.env.TZ = 'America/Los_Angeles';
      const la = deterministicZip('f', files, at, 'Europe/Paris');
      assert.deepEqual(la, utc);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('records the instant as an extended timestamp', () => {
    const zip = deterministicZip('f', files, at, 'Europe/Paris');
    // Local header: extra field 0x5455 ("UT"), 5 bytes, flags 1, then UTC seconds, little-endian.
    const needle = [0x55, 0x54, 5, 0, 1];
    const index = zip.findIndex((_, i) => needle.every((b, j) => zip[i + j] === b));
    assert.ok(index > 0);
    assert.equal(new DataView(zip.buffer, zip.byteOffset).getUint32(index + 5, true), at / 1000);
  });
});
