import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { render, wrap } from './plain-text.ts';

describe('plain text', () => {
  it('wraps at the width without splitting words', () => {
    const text = 'Il contient des données personnelles : numéros de téléphone et textes. '.repeat(
      5,
    );
    const lines = wrap(text, 30, '  ');
    assert.ok(lines.every((line) => [...line].length <= 30));
    assert.equal(lines.join(' ').replace(/\s+/g, ' ').trim(), text.trim());
  });

  it('lays out headings, terms, code and paragraphs', () => {
    const out = render([
      { heading: 'Fichiers' },
      { term: 'events.csv', text: 'Un événement par ligne.' },
      { term: 'SHA256SUMS', text: 'Les empreintes.' },
      { code: ['sha256sum -c SHA256SUMS'] },
      'Fin.',
    ]);
    assert.equal(
      out,
      'Fichiers\n--------\n\n' +
        '  events.csv      Un événement par ligne.\n' +
        '  SHA256SUMS      Les empreintes.\n\n' +
        '    sha256sum -c SHA256SUMS\n\n' +
        'Fin.\n',
    );
  });
});
