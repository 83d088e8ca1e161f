import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, printable } from './display.ts';

describe('display', () => {
  it('escapes HTML', () => {
    assert.equal(
      escapeHtml(`<a href="x">'&'</a>`),
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
  });

  it('makes control characters visible and keeps line breaks', () => {
    assert.equal(printable('a\u0000b\r\nc\td\u001be\u009b'), 'a\uFFFDb\nc d\uFFFDe\uFFFD');
    assert.equal(printable('é 😈'), 'é 😈');
  });
});
