import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAX_TEXT_LENGTH,
  TEXT_LABELS,
  containsUrl,
  createLexiconClassifier,
  lexiconClassifier,
  rememberingClassifier,
  type TextClassifier,
  type TextLabel,
} from './classifier.ts';
import { alone, stems, words } from './lexicon.ts';

const labels = (text: string): TextLabel[] => lexiconClassifier.classify(text).labels;

describe('lexiconClassifier: hostile texts', () => {
  const cases: [TextLabel, string][] = [
    // insults, French
    ['insult', 'connard'],
    ['insult', 'Espèce de connasse'],
    ['insult', 'sale pute'],
    ['insult', 'pétasse va'],
    ['insult', 'chienne'],
    ['insult', 'mal baisée'],
    ['insult', 'féminazie'],
    ['insult', 'hystérique'],
    ['insult', "t'es qu'une conne"],
    ['insult', "t'es débile ou quoi"],
    ['insult', 'abrutie'],
    ['insult', 'bouffonne'],
    ['insult', 'fils de pute'],
    ['insult', 'fdp'],
    ['insult', 'ta gueule'],
    ['insult', 'tg'],
    ['insult', 'ftg'],
    ['insult', 'nique ta mère'],
    ['insult', 'ntm'],
    ['insult', 'pd'],
    ['insult', 'sale grosse'],
    ['insult', 'grosse vache'],
    ['insult', 'grosse !'],
    ['insult', 'enculée'],
    ['insult', 'va te faire foutre'],
    // insults, English
    ['insult', 'bitch'],
    ['insult', 'dumb slut'],
    ['insult', 'whore'],
    ['insult', 'cunt'],
    ['insult', 'fuck you'],
    ['insult', 'fuck off'],
    ['insult', "you're so stupid"],
    ['insult', 'you idiot'],
    ['insult', 'you retard'],
    ['insult', 'feminazi'],
    ['insult', "you're ugly"],
    ['insult', 'asshole'],
    // threats
    ['threat', 'je vais te tuer'],
    ['threat', 'crève'],
    ['threat', 'va crever'],
    ['threat', 'on sait où tu habites'],
    ['threat', 'on va te retrouver'],
    ['threat', "j'ai ton adresse"],
    ['threat', 'je vais te défoncer'],
    ['threat', "t'es morte"],
    ['threat', 'gare à toi'],
    ['threat', 'fais gaffe à toi'],
    ['threat', 'Fais gaffe !!'],
    ['threat', 'je vais te buter'],
    ['threat', 'on va t’égorger'],
    ['threat', 'je vais te tabasser'],
    ['threat', 'je vais te violer'],
    ['threat', 'I will kill you'],
    ['threat', 'die'],
    ['threat', 'we know where you live'],
    ['threat', "i'll find you"],
    ['threat', 'kys'],
    // sexual
    ['sexual', 'suce'],
    ['sexual', 'tu veux sucer ?'],
    ['sexual', 'suce ma bite'],
    ['sexual', 'ta chatte'],
    ['sexual', 'montre tes nichons'],
    ['sexual', 'à poil'],
    ['sexual', 'envoie des photos'],
    ['sexual', 'envoie-moi des nudes'],
    ['sexual', 'sodomie'],
    ['sexual', 'viol'],
    ['sexual', 'send nudes'],
    ['sexual', 'suck my dick'],
    ['sexual', 'nice tits'],
    ['sexual', 'pussy'],
    ['sexual', 'rape'],
    // spam
    ['spam', 'Gagnez un iPhone'],
    ['spam', 'Cliquez ici pour votre cadeau'],
    ['spam', 'investis en bitcoin'],
    ['spam', 'crypto x100'],
    ['spam', 'crédit rapide sans justificatif'],
    ['spam', 'code promo -50%'],
    ['spam', 'free money'],
    ['spam', 'click here'],
    ['spam', 'winner!!'],
    ['spam', 'best casino bonus'],
    ['spam', 'Votre colis est en attente'],
  ];
  for (const [label, text] of cases) {
    it(`${label}: ${JSON.stringify(text)}`, () => {
      assert.ok(labels(text).includes(label), `labels were ${JSON.stringify(labels(text))}`);
    });
  }
});

describe('lexiconClassifier: tricky spellings', () => {
  const cases: [TextLabel, string][] = [
    ['insult', 'SALOPE'],
    ['insult', 'SaLoPe'],
    ['insult', 's4l0p3'],
    ['insult', 'sa1ope'],
    ['insult', 'b1tch'],
    ['insult', '1oser'],
    ['insult', 'saloooooope'],
    ['insult', 'connnnnard'],
    ['insult', 's a l o p e'],
    ['insult', 's.a.l.o.p.e'],
    ['insult', 's-a-l-o-p-e'],
    ['insult', 'p u t e'],
    ['insult', 'p_u_t_e'],
    ['insult', 'sal.ope'],
    ['insult', 'con-nard'],
    ['insult', 'sal*pe'],
    ['insult', 'enc*lé'],
    ['insult', 'f**k you'],
    ['insult', 'b!tch'],
    ['insult', '$alope'],
    ['insult', 'a$$hole'],
    ['insult', 'ｓａｌｏｐｅ'],
    ['insult', 'ѕаlоре'],
    ['insult', 'ρυτε'],
    ['insult', 'sal\u200Bope'],
    ['insult', 'c\u200Do\u200Bn\u200Bn\u200Ba\u200Br\u200Bd'],
    ['insult', 'NIQUE-TA-MÈRE'],
    ['insult', 'f.d.p'],
    ['threat', 'je vais te tu3r'],
    ['threat', 'J3 SAIS OÙ T’HABITES'],
    ['sexual', 'envoie d3s nud3s'],
  ];
  for (const [label, text] of cases) {
    it(`${label}: ${JSON.stringify(text)}`, () => {
      assert.ok(labels(text).includes(label), `labels were ${JSON.stringify(labels(text))}`);
    });
  }
});

describe('lexiconClassifier: ordinary messages stay clean', () => {
  const clean = [
    "Salut, c'est Marc, on s'est croisés ce soir",
    "C'est quoi ce numéro ?",
    'Qui est-ce ?',
    "Bonsoir, j'espère que tu es bien rentrée",
    'Je comprends, désolé',
    'ok',
    "D'accord, bonne soirée",
    "Hi, it's Tom from the party",
    'who is this?',
    'sorry',
    'Je conçois',
    'concert',
    'Concorde',
    'consulter',
    'constitution',
    'compte',
    'dictionnaire',
    'assez',
    'classe',
    'passer',
    'Scunthorpe',
    'cocktail',
    'analyse',
    // Documented choice: "pussy" is a whole word, so the band stays clean.
    'pussycat dolls',
    'Il est mort de rire',
    'je vais te rappeler',
    'à toute',
    'grosse journée',
    "j'ai eu une grosse journée, désolé",
    'je suis crevé',
    'désolé pour le retard',
    'je sors de la douche',
    'on était dans la même promo',
    "j'ai plus de crédit",
    'je suis à Puteaux',
    'une salopette',
    'une sucette',
    'on se voit à Pornic ?',
    'Hi, it’s Bob',
    "I'll shoot you a text tomorrow",
    'let me know where you are',
    "you won't believe it",
    'nice as always',
    'tu peux me donner ton adresse mail ?',
    'mon mail : marc.dupont@gmail.com',
    'salut.ca va ?',
    'rdv à 20h30, 06 12 34 56 78',
    'quelle folle soirée',
    '',
  ];
  for (const text of clean) {
    it(JSON.stringify(text), () => {
      assert.deepEqual(lexiconClassifier.classify(text), { labels: [], matches: [] });
    });
  }
});

describe('lexiconClassifier: links', () => {
  const links = [
    'http://example.org',
    'voir https://t.co/abc',
    'www.gagnant.fr',
    'bit.ly/3xYz',
    'suivi: promo-colis.fr/suivi?id=1',
    'something.com/xyz',
    'rdv sur amazon.fr',
    'HTTPS://EXAMPLE.NET',
  ];
  for (const text of links) {
    it(`spam: ${JSON.stringify(text)}`, () => {
      const result = lexiconClassifier.classify(text);
      assert.deepEqual(result.labels, ['spam']);
      assert.deepEqual(result.matches[0], { label: 'spam', term: 'url' });
    });
  }
  const notLinks = ['marc@gmail.com', 'salut.ca va', 'super.top', 'et/ou', '1/2', '3.50€'];
  for (const text of notLinks) {
    it(`not a link: ${JSON.stringify(text)}`, () => {
      assert.equal(containsUrl(text), false);
    });
  }
});

describe('lexiconClassifier: bare laughter', () => {
  for (const text of [
    'mdr',
    'MDRRR',
    'p t d r',
    'lol lol',
    'ahahah',
    'hihi',
    'ISSOU',
    '😂😂😂',
    'xD',
  ]) {
    it(`mockery: ${JSON.stringify(text)}`, () => {
      assert.deepEqual(labels(text), ['mockery']);
    });
  }
  for (const text of ['mdr t es drole toi', 'Ah ?', '?', '😊', 'ok', 'Allô ?']) {
    it(`not mockery: ${JSON.stringify(text)}`, () => {
      assert.equal(labels(text).includes('mockery'), false);
    });
  }
});

describe('lexiconClassifier: test messages', () => {
  const tests = [
    'test',
    'Test',
    'TEST 1 2 3',
    'tesst',
    't e s t',
    'testing',
    'ceci est un test',
    "c'est un test",
    'juste un test',
    'petit test',
    'essai',
    'test?',
    'test !!',
    'ça marche ?',
    'ca marche',
    'anti-relous ?',
    'hello test',
    'testtest',
    'test test',
    't3st',
    'test123',
    'Bonjour, ceci est un test du numéro',
    'is this working?',
    'Je teste le numéro anti-relous',
    "c'est vrai que ça répond ?",
    'is this working',
  ];
  for (const text of tests) {
    it(`test: ${JSON.stringify(text)}`, () => {
      assert.deepEqual(labels(text), ['test']);
    });
  }
  const notTests = [
    'Je voulais tester si tu réponds vraiment, on s’est vus au bar hier soir',
    'attestation',
    'le test de grossesse était négatif',
    'hello',
    'ça marche, à demain',
    'testostérone',
    'ok',
    '1 2 3',
    'mdr t es drole toi',
    'Il est vrai que je suis en retard',
    // What a man writes to a number he was just given: never a test.
    'Allô ?',
    'allo',
    'Ça répond ?',
    "C'est qui ?",
    "T'es où ?",
    'Tu es là ?',
    'Réponds stp',
    "c'est ton vrai numéro ?",
    'Il répond pas ce numéro',
    'mdr',
    'lol lol',
  ];
  for (const text of notTests) {
    it(`not a test: ${JSON.stringify(text)}`, () => {
      assert.equal(labels(text).includes('test'), false);
    });
  }

  it('labels a test that is also an insult with both', () => {
    assert.deepEqual(lexiconClassifier.classify('test connasse'), {
      labels: ['insult', 'test'],
      matches: [
        { label: 'insult', term: 'connasse' },
        { label: 'test', term: 'test' },
      ],
    });
  });
});

describe('lexiconClassifier: result shape', () => {
  it('exposes its name and the label order', () => {
    assert.equal(lexiconClassifier.name, 'lexicon-fr-en');
    assert.deepEqual(TEXT_LABELS, ['insult', 'threat', 'sexual', 'spam', 'test', 'mockery']);
  });

  it('orders labels as TEXT_LABELS, whatever the order in the text', () => {
    assert.deepEqual(labels('bit.ly/x suce connard je vais te tuer'), [
      'insult',
      'threat',
      'sexual',
      'spam',
    ]);
  });

  it('deduplicates labels and matches', () => {
    const result = lexiconClassifier.classify('connard connard CONNARD c0nnard');
    assert.deepEqual(result, {
      labels: ['insult'],
      matches: [{ label: 'insult', term: 'connard' }],
    });
  });

  it('reports lexicon terms as written, not the sender’s spelling', () => {
    assert.deepEqual(lexiconClassifier.classify('P3TASSSE').matches, [
      { label: 'insult', term: 'pétasse' },
    ]);
  });

  it(`reads only the first ${MAX_TEXT_LENGTH} characters`, () => {
    const padding = 'bonjour '.repeat(MAX_TEXT_LENGTH / 8);
    assert.deepEqual(labels(`${padding}salope`), []);
    assert.deepEqual(labels(`salope ${padding}`), ['insult']);
  });

  it('stays fast on hostile input', () => {
    const text = 'a*b*c*d*e*f*g*h*i*j '.repeat(400) + 's a l o p e ok '.repeat(100);
    const start = performance.now();
    assert.deepEqual(labels(text), ['insult']);
    assert.ok(performance.now() - start < 1000);
  });
});

describe('createLexiconClassifier', () => {
  const custom = createLexiconClassifier({
    insult: [...words('cake'), ...stems('bisc')],
    threat: alone('boo'),
    sexual: [],
    spam: words('buy now'),
  });

  it('uses the given lexicon with its match modes', () => {
    assert.equal(custom.name, 'lexicon-fr-en');
    assert.deepEqual(custom.classify('C4KE').labels, ['insult']);
    assert.deepEqual(custom.classify('cakes').labels, []);
    assert.deepEqual(custom.classify('biscuits').labels, ['insult']);
    assert.deepEqual(custom.classify('boo !').labels, ['threat']);
    assert.deepEqual(custom.classify('boo hoo').labels, []);
    assert.deepEqual(custom.classify('please BUY   NOW').labels, ['spam']);
    assert.deepEqual(custom.classify('connard').labels, []);
  });

  it('still finds links and test messages', () => {
    assert.deepEqual(custom.classify('test').labels, ['test']);
    assert.deepEqual(custom.classify('www.example.com').labels, ['spam']);
  });

  it('rejects a term that normalises to nothing', () => {
    assert.throws(
      () => createLexiconClassifier({ insult: words('!!!'), threat: [], sexual: [], spam: [] }),
      /normalises to nothing/,
    );
  });
});

describe('lexiconClassifier: documented trade-offs', () => {
  // These are known false positives, kept on purpose (see lexicon.ts); the tests pin the choice.
  const flagged: [string, TextLabel][] = [
    ["I'd die for a coffee", 'threat'],
    ["c'est con, j'ai raté le bus", 'insult'],
    ['ma chienne est malade', 'insult'],
  ];
  for (const [text, label] of flagged) {
    it(`${JSON.stringify(text)} is flagged ${label}`, () => {
      assert.deepEqual(labels(text), [label]);
    });
  }

  it('leaves "t\'es une grosse …" to the noun that follows', () => {
    assert.deepEqual(labels("t'es une grosse fan de jazz"), []);
    assert.deepEqual(labels("t'es une grosse vache"), ['insult']);
    assert.deepEqual(labels("t'es grosse"), ['insult']);
  });

  it('does not read "abrutissant" as "abrutie"', () => {
    assert.deepEqual(labels('un travail abrutissant'), []);
  });
});

describe('rememberingClassifier', () => {
  const counting = () => {
    const calls: string[] = [];
    const inner: TextClassifier = {
      name: 'counting',
      classify: (text) => {
        calls.push(text);
        return lexiconClassifier.classify(text);
      },
    };
    return { calls, inner };
  };

  it('answers as the classifier it wraps, and reads a text it saw lately only once', () => {
    const { calls, inner } = counting();
    const remembering = rememberingClassifier(inner);
    assert.equal(remembering.name, 'counting');
    for (const text of ['réponds connasse', 'Allô ?', 'réponds connasse', 'je vais te retrouver']) {
      assert.deepEqual(remembering.classify(text), lexiconClassifier.classify(text));
    }
    assert.deepEqual(calls, ['réponds connasse', 'Allô ?', 'je vais te retrouver']);
  });

  it('forgets the oldest text once full, and reads long texts every time', () => {
    const { calls, inner } = counting();
    const remembering = rememberingClassifier(inner, 2);
    for (const text of ['a', 'b', 'c', 'c', 'a']) remembering.classify(text);
    assert.deepEqual(calls, ['a', 'b', 'c', 'a'], '"a" was forgotten when "c" came');
    const long = `salope ${'x'.repeat(600)}`;
    remembering.classify(long);
    remembering.classify(long);
    assert.equal(calls.filter((t) => t === long).length, 2);
  });

  it('shares answers that cannot be changed by whoever gets them', () => {
    const remembering = rememberingClassifier(lexiconClassifier);
    const first = remembering.classify('sale pute');
    assert.throws(() => first.labels.push('spam'));
    assert.deepEqual(remembering.classify('sale pute').labels, ['insult']);
  });
});
