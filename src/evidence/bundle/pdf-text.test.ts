import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unzipSync } from 'fflate';
import { extractText, getDocumentProxy } from 'unpdf';
import { problems } from '../../../test/support/language.ts';
import { buildBundle } from './bundle.ts';
import { formatsFor } from './formats.ts';
import { fixtureInput } from './test-fixture.ts';
import { wordsFor } from './words.ts';

/** The report's text, read back from the PDF as a reader's software would. */
async function pdfText(pdf: Uint8Array): Promise<string> {
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(pdf)), {
    mergePages: true,
  });
  return text;
}

/** Leaves out what callers and the organisation wrote: quoted, never translated. */
function withoutQuotes(text: string, input: ReturnType<typeof fixtureInput>): string {
  const flat = (t: string) => t.replace(/\s+/g, ' ').trim();
  let out = flat(text);
  const quoted = [
    ...input.events.map((e) => e.text ?? ''),
    ...(input.summary.organisation
      ? [
          input.summary.organisation.name,
          input.summary.organisation.address,
          input.summary.organisation.contact,
        ]
      : []),
    input.summary.exportedBy,
  ]
    .map(flat)
    .filter((q) => q.length > 2)
    .sort((a, b) => b.length - a.length);
  for (const q of quoted) out = out.split(q).join(' ');
  return out;
}

describe('the complaint report speaks one language', () => {
  for (const language of ['fr', 'en'] as const)
    it(`holds no code, no key and no word of the other language, in the PDF and the HTML (${language})`, async () => {
      const input = fixtureInput(language);
      const bundle = await buildBundle(input);
      const files = unzipSync(bundle.zip);
      const pdf = await pdfText(files[`${bundle.folder}/summary.pdf`]!);
      const html = new TextDecoder()
        .decode(files[`${bundle.folder}/summary.html`])
        .replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ')
        .replace(/<[^>]+>/g, ' ')
        .replace(/&[a-z#0-9]+;/g, ' ');
      assert.deepEqual(problems(withoutQuotes(pdf, input), language), [], 'summary.pdf');
      assert.deepEqual(problems(withoutQuotes(html, input), language), [], 'summary.html');
    });
});

describe('the complaint report adds up', () => {
  it('states in the PDF, to the cent, what the replies of events.jsonl cost', async () => {
    const input = fixtureInput('fr');
    const bundle = await buildBundle(input);
    const files = unzipSync(bundle.zip);
    const records = new TextDecoder()
      .decode(files[`${bundle.folder}/events.jsonl`])
      .trimEnd()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as { kind: string; decision: string | null; costMicros: number | null },
      );
    const spent = records
      .filter((r) => r.kind === 'reply' && r.decision === 'sent')
      .reduce((sum, r) => sum + (r.costMicros ?? 0), 0);
    assert.ok(spent > 0);
    const contacts = records.filter((r) => r.kind === 'call' || r.kind === 'text').length;
    const f = formatsFor(wordsFor('fr').locale, 'Europe/Paris', 'EUR');
    const pdf = (await pdfText(files[`${bundle.folder}/summary.pdf`]!)).replace(/\s+/g, ' ');
    const normal = (t: string) => t.replace(/[\u00a0\u202f]/g, ' ');
    assert.ok(normal(pdf).includes(normal(f.money(spent))), `${f.money(spent)} in the PDF`);
    assert.ok(normal(pdf).includes(normal(f.count(contacts))), `${contacts} contacts in the PDF`);
    assert.equal(input.summary.money.spentMicros, spent);
  });
});
