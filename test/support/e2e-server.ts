import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeTwilio } from './fake-twilio.ts';
import { LINE, TEST_SECRET } from './hotline.ts';
import { killAllChildren, startServer, type NonmerciProcess } from './server-process.ts';

const BUILD = fileURLToPath(new URL('../../bin/build-dashboard.js', import.meta.url));

export interface E2eServer {
  proc: NonmerciProcess;
  base: string;
  /** The fake Twilio Messages API, when the server runs a Twilio line. */
  fake: FakeTwilio | null;
  /** The server's data folder (its SQLite database is nonmerci.db there). */
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * The real `nonmerci serve` for browser tests, on SQLite in a fresh data folder, with the dashboard
 * built first (a no-op when its sources did not change). With `twilio`, its line is a Twilio line
 * whose Messages API is a fake on loopback; without, the demo line on the simulator.
 */
export async function startE2eServer(options: {
  twilio: boolean;
  env?: Record<string, string>;
}): Promise<E2eServer> {
  execFileSync(process.execPath, [BUILD], { stdio: 'ignore' });
  const fake = options.twilio ? await new FakeTwilio().start() : null;
  const dataDir = mkdtempSync(join(tmpdir(), 'nonmerci-e2e-'));
  const stop = async () => {
    await fake?.stop();
    await killAllChildren();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const server = await startServer({
      NONMERCI_DATA_DIR: dataDir,
      NONMERCI_SECRET: TEST_SECRET,
      ...(fake
        ? {
            TWILIO_ACCOUNT_SID: fake.accountSid,
            TWILIO_AUTH_TOKEN: fake.authToken,
            TWILIO_API_URL: fake.url,
            HOTLINE_NUMBER: LINE,
          }
        : {}),
      LOG_LEVEL: 'warn',
      ...options.env,
    });
    return {
      ...server,
      fake,
      dataDir,
      async stop() {
        await server.proc.stop();
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
