import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { startDashboard, type Dashboard } from '../support/dashboard.ts';

/** The dashboard's files as a browser fetches them: compressed, cached for good under their hash. */
describe('dashboard assets', () => {
  let d: Dashboard;
  let script: string;
  before(async () => {
    d = await startDashboard('sqlite');
    const page = await d.app.inject({ method: 'GET', url: '/' });
    assert.equal(page.statusCode, 200);
    script = /src="(\/assets\/[^"]+\.js)"/.exec(page.body)?.[1] ?? '';
    assert.ok(script, page.body);
  });
  after(() => d?.close());

  const get = (encoding: string | null) =>
    d.app.inject({
      method: 'GET',
      url: script,
      headers: encoding === null ? {} : { 'accept-encoding': encoding },
    });

  it('sends the script brotli- or gzip-compressed to a browser that takes it, the same bytes once read', async () => {
    const plain = await get(null);
    assert.equal(plain.statusCode, 200);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.match(String(plain.headers['cache-control']), /immutable/);

    const br = await get('gzip, deflate, br');
    assert.equal(br.headers['content-encoding'], 'br');
    assert.match(String(br.headers.vary), /accept-encoding/i);
    assert.ok(br.rawPayload.length < plain.rawPayload.length / 2, 'less than half the bytes');
    assert.deepEqual(brotliDecompressSync(br.rawPayload), plain.rawPayload);

    const gz = await get('gzip');
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.deepEqual(gunzipSync(gz.rawPayload), plain.rawPayload);
  });
});
