import assert from 'node:assert/strict';
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { after, describe, it } from 'node:test';
import { formatEnvValue, planEnvUpdate, updateEnvText, writeEnvFile } from './env-file.ts';

/** What bin/nonmerci.js reads from a .env text. */
const read = (text: string) => parseEnv(text.replace(/^\uFEFF/, ''));

describe('updateEnvText', () => {
  it('writes values that Node reads back exactly, quoting only when needed', () => {
    const values = [
      'https://hotline.example.org',
      '+33939000000',
      'AC0123456789abcdef0123456789abcdef',
      '',
      'two words',
      '  padded  ',
      'a#b',
      'x # not a comment',
      'it\'s "quoted"',
      "it's",
      'say "hi"',
      'it\'s "x" with a literal \\n',
      'literal \\n and \\t',
      "single ' and literal \\n",
      'dollar $HOME and ${HOME}',
      'équipe — ça',
      '=leading equals=',
    ];
    for (const value of values) {
      const text = updateEnvText('', { A: value });
      assert.equal(read(text).A, value, `${JSON.stringify(value)} written as ${text}`);
    }
    assert.equal(formatEnvValue('https://x.org/a'), 'https://x.org/a');
    assert.equal(formatEnvValue('a b'), "'a b'");
    assert.equal(formatEnvValue("it's"), `"it's"`);
  });

  it('refuses what cannot be written on one line or with any quote', () => {
    assert.throws(() => formatEnvValue('two\nlines'), /several lines/);
    assert.throws(() => formatEnvValue('\'"`'), /quotes/);
    assert.throws(() => updateEnvText('', { 'NOT A NAME': 'x' }), /not a variable name/);
  });

  it("replaces a variable's line in place and keeps comments, blank lines and order", () => {
    const text = [
      '# nonmerci settings',
      '',
      'PORT=3000',
      'PUBLIC_URL=http://old.example.org  # to change',
      '# a comment about the rest',
      'BUDGET_DAILY=5',
      '',
    ].join('\n');
    const result = updateEnvText(text, { PUBLIC_URL: 'https://new.example.org', NEW_ONE: 'x' });
    assert.equal(
      result,
      [
        '# nonmerci settings',
        '',
        'PORT=3000',
        'PUBLIC_URL=https://new.example.org',
        '# a comment about the rest',
        'BUDGET_DAILY=5',
        'NEW_ONE=x',
        '',
      ].join('\n'),
    );
  });

  it('turns a commented-out template line into the real one, where it is', () => {
    const text = [
      '# --- Twilio (leave unset to use the simulator) ---',
      '# TWILIO_ACCOUNT_SID=ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
      '#TWILIO_AUTH_TOKEN=',
      '# TWILIO_API_URL=https://api.twilio.com',
      '# In France use a 09 number. HOTLINE_NUMBER=+33939000000 in prose is no template',
      '',
    ].join('\n');
    const { text: result, changes } = planEnvUpdate(text, {
      TWILIO_ACCOUNT_SID: 'AC1',
      TWILIO_AUTH_TOKEN: 'secret',
      HOTLINE_NUMBER: '+33939000000',
    });
    assert.equal(
      result,
      [
        '# --- Twilio (leave unset to use the simulator) ---',
        'TWILIO_ACCOUNT_SID=AC1',
        'TWILIO_AUTH_TOKEN=secret',
        '# TWILIO_API_URL=https://api.twilio.com',
        '# In France use a 09 number. HOTLINE_NUMBER=+33939000000 in prose is no template',
        'HOTLINE_NUMBER=+33939000000',
        '',
      ].join('\n'),
    );
    assert.deepEqual(
      changes.map((c) => [c.name, c.kind, c.before]),
      [
        [
          'TWILIO_ACCOUNT_SID',
          'uncommented',
          '# TWILIO_ACCOUNT_SID=ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
        ],
        ['TWILIO_AUTH_TOKEN', 'uncommented', '#TWILIO_AUTH_TOKEN='],
        ['HOTLINE_NUMBER', 'added', null],
      ],
    );
  });

  it('prefers an active line to a template line of the same variable', () => {
    const text = '# PUBLIC_URL=https://hotline.example.org\nPUBLIC_URL=http://127.0.0.1:3000\n';
    assert.equal(
      updateEnvText(text, { PUBLIC_URL: 'https://h.example.org' }),
      '# PUBLIC_URL=https://hotline.example.org\nPUBLIC_URL=https://h.example.org\n',
    );
  });

  it('keeps CRLF line endings, also on added lines', () => {
    const text = '# settings\r\nPORT=3000\r\nPUBLIC_URL=http://x\r\n';
    const result = updateEnvText(text, {
      PUBLIC_URL: 'https://y.org',
      HOTLINE_NUMBER: '+33939000000',
    });
    assert.equal(
      result,
      '# settings\r\nPORT=3000\r\nPUBLIC_URL=https://y.org\r\nHOTLINE_NUMBER=+33939000000\r\n',
    );
    assert.deepEqual(read(result), {
      PORT: '3000',
      PUBLIC_URL: 'https://y.org',
      HOTLINE_NUMBER: '+33939000000',
    });
  });

  it('keeps a byte-order mark, and finds the first variable after it', () => {
    const text = '\uFEFFPUBLIC_URL=http://x\nPORT=3000\n';
    const result = updateEnvText(text, { PUBLIC_URL: 'https://y.org' });
    assert.equal(result, '\uFEFFPUBLIC_URL=https://y.org\nPORT=3000\n');
  });

  it('adds the missing line break of the last line before appending', () => {
    assert.equal(updateEnvText('PORT=3000', { A: '1' }), 'PORT=3000\nA=1\n');
    assert.equal(updateEnvText('PORT=3000', { PORT: '4000' }), 'PORT=4000');
    assert.equal(updateEnvText('', { A: '1', B: '2' }), 'A=1\nB=2\n');
  });

  it('is idempotent, and leaves a line holding the value as it was written', () => {
    const text = "# c\nexport PUBLIC_URL='https://h.example.org'\nTOKEN=old\n";
    const values = { PUBLIC_URL: 'https://h.example.org', TOKEN: 'new one', ADDED: 'a#b' };
    const once = planEnvUpdate(text, values);
    assert.equal(
      once.text,
      "# c\nexport PUBLIC_URL='https://h.example.org'\nTOKEN='new one'\nADDED='a#b'\n",
    );
    assert.deepEqual(
      once.changes.map((c) => c.kind),
      ['unchanged', 'replaced', 'added'],
    );
    const twice = planEnvUpdate(once.text, values);
    assert.equal(twice.text, once.text);
    assert.ok(twice.changes.every((c) => c.kind === 'unchanged'));
  });

  it('rewrites every assignment of a variable set twice (Node keeps the last)', () => {
    const text = 'A=1\nB=2\nA=3\n';
    const result = updateEnvText(text, { A: 'x' });
    assert.equal(result, 'A=x\nB=2\nA=x\n');
    assert.equal(read(result).A, 'x');
  });

  it('leaves alone look-alike lines inside a multi-line quoted value, and replaces such a value whole', () => {
    const text = 'KEY="-----BEGIN\nPUBLIC_URL=inside the value\n-----END"\nPORT=1\n';
    assert.equal(read(text).KEY, '-----BEGIN\nPUBLIC_URL=inside the value\n-----END');
    const result = updateEnvText(text, { PUBLIC_URL: 'https://y.org' });
    assert.equal(result, `${text}PUBLIC_URL=https://y.org\n`);
    assert.equal(updateEnvText(text, { KEY: 'short' }), 'KEY=short\nPORT=1\n');
  });
});

describe('writeEnvFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nonmerci-env-file-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a missing .env readable by its owner only', () => {
    const path = join(dir, 'new.env');
    const changes = writeEnvFile(path, { A: '1' });
    assert.equal(readFileSync(path, 'utf8'), 'A=1\n');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(changes, [{ name: 'A', before: null, after: 'A=1', kind: 'added' }]);
  });

  it('narrows a .env readable by others to 0600, keeping its lines, and leaves no temporary file', () => {
    const path = join(dir, 'wide.env');
    writeFileSync(path, '# keep me\nB=2\n');
    chmodSync(path, 0o644);
    writeEnvFile(path, { A: '1' });
    assert.equal(readFileSync(path, 'utf8'), '# keep me\nB=2\nA=1\n');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith('.tmp')),
      [],
    );
  });

  it('follows a symbolic link and replaces its target', () => {
    const target = join(dir, 'target.env');
    const link = join(dir, 'link.env');
    writeFileSync(target, 'B=2\n', { mode: 0o644 });
    symlinkSync(target, link);
    writeEnvFile(link, { A: '1' });
    assert.equal(readFileSync(target, 'utf8'), 'B=2\nA=1\n');
    assert.equal(statSync(target).mode & 0o777, 0o600);
  });
});
