import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { Config } from '../src/config/load.ts';
import { withHotline } from '../src/cli/operator.ts';
import { DIALECTS, createTestDatabase, type TestDatabase } from './support/databases.ts';
import { FakeTwilio } from './support/fake-twilio.ts';
import { LINE, PUBLIC_URL, TEST_SECRET, startHotline, testConfig } from './support/hotline.ts';
import { killAllChildren, spawnNonmerci, waitFor } from './support/server-process.ts';

/**
 * Only `serve` creates or changes lines. A read-only command (`audit`, `evidence verify`…) or a
 * worker started from a shell without the server's TWILIO_* settings used to run the same start-up
 * and switch the live Twilio line to the simulator, silencing the hotline; now it leaves the line
 * as it is and says what differs.
 */

const twilioApi = new FakeTwilio();

for (const dialect of DIALECTS) {
  describe(
    `a command never rewrites the live line [${dialect.name}]`,
    { skip: dialect.skip },
    () => {
      let db: TestDatabase;

      before(() => twilioApi.start());
      after(async () => {
        await killAllChildren();
        await twilioApi.stop();
      });
      beforeEach(async () => {
        db = await createTestDatabase(dialect.name);
        // The server, with Twilio, creates the line.
        const server = await startHotline(testConfig(db.target, { twilio: twilioApi.settings }));
        assert.equal(server.defaultLine.provider, 'twilio');
        await server.close();
      });
      afterEach(() => db?.drop());

      /** The shell of a command: same database and line, but no Twilio settings. */
      const shell = (): Config => testConfig(db.target, { twilio: null });
      const storedProvider = () =>
        withHotline(
          testConfig(db.target, { twilio: twilioApi.settings }),
          async (h) => (await h.lines.findByNumber(LINE))?.provider,
        );
      const env = (): Record<string, string> => ({
        DATABASE_URL:
          db.target.kind === 'sqlite'
            ? `sqlite://${db.target.path}`
            : (db.target as { url: string }).url,
        NONMERCI_SECRET: TEST_SECRET,
        HOTLINE_NUMBER: LINE,
        PUBLIC_URL,
        LOG_LEVEL: 'info',
      });

      it('a command opened without TWILIO_* leaves the line on Twilio and says so', async () => {
        const notices: string[] = [];
        const line = await withHotline(
          shell(),
          (h) => Promise.resolve(h.defaultLine),
          (m) => notices.push(m),
        );
        assert.equal(line?.provider, 'twilio', 'read as it is stored');
        assert.equal(await storedProvider(), 'twilio');
        assert.equal(notices.length, 1);
        assert.match(
          notices[0]!,
          /Line \+33939000001 uses twilio, but this command runs with the settings of the simulator .*left as it is: only "nonmerci serve" changes it/,
        );
      });

      it('a command whose settings agree with the line says nothing', async () => {
        const notices: string[] = [];
        await withHotline(
          testConfig(db.target, { twilio: twilioApi.settings }),
          () => Promise.resolve(),
          (m) => notices.push(m),
        );
        assert.deepEqual(notices, []);
      });

      for (const args of [['audit'], ['evidence', 'verify']]) {
        it(`"nonmerci ${args.join(' ')}" from a shell without TWILIO_* leaves the line alone`, async () => {
          const p = spawnNonmerci(args, env());
          const exit = await p.exited;
          assert.equal(exit.code, 0, p.stderr);
          assert.match(
            p.stderr,
            /uses twilio, but this command runs with the settings of the simulator/,
          );
          assert.equal(await storedProvider(), 'twilio');
        });
      }

      if (dialect.name === 'postgres') {
        it('a worker started without TWILIO_* leaves the line alone', async () => {
          const worker = spawnNonmerci(['serve', '--role', 'worker'], {
            ...env(),
            WORKER_POLL: '50ms',
          });
          await worker.waitForOutput(/nonmerci is running \(worker\)/, 30_000);
          await waitFor(
            'the worker to log its notice',
            () => (/uses twilio, but this command runs/.test(worker.stdout) ? true : undefined),
            { timeoutMs: 10_000 },
          );
          assert.equal(await storedProvider(), 'twilio');
          assert.deepEqual(await worker.stop('SIGTERM', 15_000), { code: 0, signal: null });
        });
      }

      it('serve, with the server settings, still creates and updates the line', async () => {
        const server = await startHotline(testConfig(db.target, { twilio: null }));
        assert.equal(server.defaultLine.provider, 'simulator', 'serve applies its own settings');
        await server.close();
      });
    },
  );
}
