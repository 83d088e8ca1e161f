import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { DIALECTS } from '../support/databases.ts';
import { startDashboard, type Dashboard } from '../support/dashboard.ts';

/** GET /readyz: the checks that need no provider call, for load balancers and orchestrators. */
for (const dialect of DIALECTS) {
  describe(`GET /readyz [${dialect.name}]`, { skip: dialect.skip }, () => {
    let d: Dashboard | null = null;
    afterEach(async () => {
      await d?.close();
      d = null;
    });

    type Ready = { status: string; checks: { id: string; ok: boolean; message: string }[] };

    it('answers 200 with each check when the hotline can serve, under any Host name', async () => {
      d = await startDashboard(dialect.name);
      const res = await d.app.inject({
        method: 'GET',
        url: '/readyz',
        headers: { host: '10.0.0.7:3000' },
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['cache-control'], 'no-store');
      const body = res.json<Ready>();
      assert.equal(body.status, 'ok');
      assert.deepEqual(
        body.checks.map((c) => [c.id, c.ok]),
        [
          ['database', true],
          ['migrations', true],
          ['caps', true],
          ['time_zone', true],
          ['disk', true],
        ],
      );
    });

    it('answers 503 and names the failing check when the budget stored by the dashboard is broken', async () => {
      d = await startDashboard(dialect.name);
      // Past every check of the API, as a hand-edited database would be.
      await d.hotline.storage.db
        .insertInto('nonmerci_settings')
        .values({
          key: 'budget',
          value: JSON.stringify({
            segmentPriceMicros: 160_000,
            dailyMicros: 9_000_000,
            monthlyMicros: 1_000_000,
            alertThresholds: [],
          }),
        })
        .execute();
      const res = await d.app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(res.statusCode, 503, res.body);
      const body = res.json<Ready>();
      assert.equal(body.status, 'failing');
      const caps = body.checks.find((c) => c.id === 'caps');
      assert.equal(caps?.ok, false);
      assert.match(caps.message, /monthly cap/);
    });

    it('answers API-like paths that do not exist with a JSON 404, not the dashboard', async () => {
      const dashboard = await startDashboard(dialect.name);
      d = dashboard;
      for (const url of [
        '/readyz/extra',
        '/api/nothing-here',
        '/webhooks/nobody/voice',
        '/healthz/x',
      ]) {
        const res = await dashboard.app.inject({ method: 'GET', url });
        assert.equal(res.statusCode, 404, `${url}: ${res.statusCode}`);
        assert.match(String(res.headers['content-type']), /application\/json/);
      }
    });
  });
}
