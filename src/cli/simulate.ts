import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../config/load.ts';
import { InvalidInputError } from '../domain/errors.ts';
import { LANGUAGES, type Language } from '../domain/types.ts';
import { renderHtml, renderText, summarise } from '../simulate/report.ts';
import { replay } from '../simulate/run.ts';
import { listScenarios, loadScenario } from '../simulate/scenario.ts';

/** `nonmerci simulate`: replays a scenario with this deployment's settings and reports its cost. */
export async function runSimulate(
  cmd: { scenario: string | null; out: string | null; language: string | null; json: boolean },
  print: (line: string) => void,
): Promise<number> {
  if (!cmd.scenario) {
    const names = listScenarios().map((s) => s.name);
    throw new InvalidInputError(
      `Say which scenario to replay: --scenario ${names.join(' | ')} (or a path to your own file).`,
    );
  }
  if (cmd.language !== null && !(LANGUAGES as readonly string[]).includes(cmd.language))
    throw new InvalidInputError(`--language must be ${LANGUAGES.join(' or ')}.`);
  const scenario = loadScenario(cmd.scenario);
  // The replay runs in a throwaway database, so it needs no secret of its own: never create one.
  const config = loadConfig({
    ...process.env,
    NONMERCI_SECRET: process.env.NONMERCI_SECRET?.trim() || randomBytes(32).toString('base64url'),
  });
  const language = (cmd.language ?? config.hotline.language) as Language;
  if (!cmd.json) print(`Replaying ${scenario.name} on a virtual clock…`);
  const outcome = await replay(scenario, config);
  const summary = summarise(outcome);
  const out = resolve(cmd.out ?? `simulation-${scenario.name}.html`);
  writeFileSync(out, renderHtml(outcome, summary, language, config.timeZone));
  if (cmd.json) print(JSON.stringify(summary, null, 2));
  else {
    print(renderText(summary, language, config.timeZone));
    print(`Report with chart: ${out}`);
  }
  return 0;
}
