import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TEST_SECRET } from './support/hotline.ts';
import {
  killAllChildren,
  spawnNonmerci,
  startServer,
  type NonmerciProcess,
} from './support/server-process.ts';

/**
 * `nonmerci text` and `nonmerci call` as the README has a newcomer run them against `npm start`:
 * the server answers once the message is in its intake log and records it a moment later, so the
 * command must wait for that before it says whether a reply is coming.
 */
describe('nonmerci text and call against a running server', () => {
  let dataDir: string;
  let env: Record<string, string>;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nonmerci-cli-'));
    env = {
      NONMERCI_DATA_DIR: dataDir,
      NONMERCI_SECRET: TEST_SECRET,
      REPLY_DELAY: '1s',
      WORKER_POLL: '100ms',
      LOG_LEVEL: 'warn',
    };
    const server = await startServer(env);
    env.PORT = new URL(server.base).port;
  });

  after(async () => {
    await killAllChildren();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const run = async (args: string[]): Promise<NonmerciProcess> => {
    const cli = spawnNonmerci(args, env);
    const exit = await cli.exited;
    assert.equal(exit.code, 0, `${cli.stdout}\n${cli.stderr}`);
    return cli;
  };

  it('waits for the consent SMS of an angry first text, and says when the next one is a repeat', async () => {
    const first = await run(['text', '--from', '+33639980077', '--body', 'réponds connasse']);
    assert.match(first.stdout, /Text delivered/);
    assert.doesNotMatch(first.stdout, /No reply is scheduled/);
    assert.match(first.stdout, /📱 SMS from \+\d+ after/);

    const again = await run(['text', '--from', '+33639980077', '--body', 'allô ??']);
    assert.match(again.stdout, /No new SMS: cooldown/);
  });

  it('waits for the consent SMS of a call too', async () => {
    const call = await run(['call', '--from', '+33639980078']);
    assert.match(call.stdout, /☎ {2}\+\d+ answers/);
    assert.match(call.stdout, /📱 SMS from \+\d+ after/);
  });
});
