import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeFile, manifest } from './manifest.ts';

describe('manifest', () => {
  it('writes sha256sum lines sorted by name in byte order', () => {
    const files = [
      describeFile('events.csv', new TextEncoder().encode('x')),
      describeFile('README.txt', new Uint8Array()),
    ];
    assert.equal(
      new TextDecoder().decode(manifest(files)),
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  README.txt\n' +
        '2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881  events.csv\n',
    );
    assert.equal(files[0]?.bytes, 1);
  });

  it('refuses names sha256sum would have to escape', () => {
    assert.throws(() => manifest([describeFile('a\nb', new Uint8Array())]));
  });
});
