import type { Language } from '../../domain/types.ts';

/**
 * Every word of the summary report, in French and English. Codes that come from the journal
 * (labels, reasons, shield triggers) are translated when known and otherwise shown as they are, so a
 * new code never breaks a report.
 */
export interface Words {
  /** BCP 47 locale for Intl formatting. */
  locale: string;
  title: string;
  confidential: string;
  intro: string;
  sections: {
    organisation: string;
    period: string;
    lines: string;
    export: string;
    totals: string;
    hours: string;
    topSenders: string;
    labels: string;
    threats: string;
    quoted: string;
    money: string;
    shield: string;
    chain: string;
  };
  period: { start: string; end: string; startUtc: string; endUtc: string; timeZone: string };
  organisation: { name: string; address: string; contact: string; missing: string };
  exportedBy: string;
  exportedAt: string;
  totals: { calls: string; texts: string; contacts: string; distinctSenders: string };
  chart: {
    caption: string;
    calls: string;
    texts: string;
    /** The minute-by-minute chart over the whole period, and over its busiest three hours. */
    minutes: string;
    busiestMinutes: string;
  };
  hoursTable: { hour: string; calls: string; texts: string; replies: string; omitted: string };
  senders: {
    number: string;
    calls: string;
    texts: string;
    labels: string;
    first: string;
    last: string;
  };
  none: string;
  noSenders: string;
  labelsTable: { label: string; texts: string };
  noLabels: string;
  threatsTable: { time: string; number: string; line: string; text: string; labels: string };
  noThreats: string;
  /** Above the texts quoted in clear. */
  quotedWarning: string;
  moreThreats: (n: string) => string;
  money: {
    spent: string;
    repliesSent: string;
    replyPrice: string;
    naive: string;
    avoided: string;
    avoidedNote: string;
    withheld: string;
    reason: string;
    count: string;
    noneWithheld: string;
  };
  shieldTable: { line: string; start: string; end: string; trigger: string; why: string };
  shieldEnded: string;
  shieldStillUp: string;
  noShield: string;
  chain: {
    count: string;
    headSeq: string;
    head: string;
    status: string;
    intact: string;
    broken: string;
    message: string;
    explain: string;
  };
  withheldNumber: string;
  page: (n: number, total: number) => string;
  generatedBy: string;
  labelNames: Record<string, string>;
  reasonNames: Record<string, string>;
  triggerNames: Record<string, string>;
}

const fr: Words = {
  locale: 'fr-FR',
  title: 'Relevé des appels et SMS reçus par la ligne anti-harcèlement',
  confidential:
    'Document confidentiel — contient des données personnelles, à remettre aux autorités',
  intro:
    'Ce relevé résume le journal de la ligne. Le détail de chaque événement se trouve dans ' +
    'events.csv (tableur) et events.jsonl ; le fichier README.txt explique comment vérifier ' +
    "que rien n'a été modifié.",
  sections: {
    organisation: 'Organisation qui dépose la plainte',
    period: 'Période',
    lines: 'Lignes concernées',
    export: 'Export',
    totals: 'En chiffres',
    hours: 'Contacts par heure',
    topSenders: 'Expéditeurs les plus actifs',
    labels: 'Classement des SMS',
    threats: 'Menaces signalées',
    quoted: 'Messages cités',
    money: 'Coûts',
    shield: 'Bouclier',
    chain: 'Intégrité du journal',
  },
  period: {
    start: 'Début (heure locale)',
    end: 'Fin (heure locale)',
    startUtc: 'Début (UTC)',
    endUtc: 'Fin (UTC)',
    timeZone: 'Fuseau horaire',
  },
  organisation: {
    name: 'Nom',
    address: 'Adresse',
    contact: 'Contact',
    missing:
      "Non renseignée : un·e administrateur·rice peut l'indiquer une fois pour toutes sur la page Preuves du tableau de bord.",
  },
  exportedBy: 'Exporté par',
  exportedAt: 'Le',
  totals: {
    calls: 'Appels',
    texts: 'SMS',
    contacts: 'Contacts (appels et SMS)',
    distinctSenders: 'Expéditeurs distincts',
  },
  chart: {
    caption: 'Appels et SMS reçus, heure par heure (heure locale)',
    calls: 'Appels',
    texts: 'SMS',
    minutes: 'Appels et SMS reçus, minute par minute (heure locale)',
    busiestMinutes: 'Minute par minute, les trois heures les plus chargées',
  },
  hoursTable: {
    hour: 'Heure',
    calls: 'Appels',
    texts: 'SMS',
    replies: 'Réponses envoyées',
    omitted: 'Les heures sans aucun contact ni réponse ne sont pas listées.',
  },
  senders: {
    number: 'Numéro',
    calls: 'Appels',
    texts: 'SMS',
    labels: 'Classement',
    first: 'Premier contact',
    last: 'Dernier contact',
  },
  none: 'Aucun',
  noSenders: 'Aucun contact pendant la période.',
  labelsTable: { label: 'Catégorie', texts: 'SMS' },
  noLabels: "Aucun SMS n'a été classé.",
  threatsTable: {
    time: 'Heure',
    number: 'Numéro',
    line: 'Ligne',
    text: 'Texte',
    labels: 'Classement',
  },
  noThreats: "Aucun SMS n'a été classé comme menace.",
  quotedWarning:
    "Attention : les messages ci-dessous sont reproduits en clair, tels qu'ils ont été reçus. Ils contiennent des propos injurieux, sexistes ou menaçants. L'organisation les a choisis pour illustrer la plainte ; tous les autres figurent dans events.csv.",
  moreThreats: (n) => `… et ${n} de plus dans events.csv (étiquette « threat »).`,
  money: {
    spent: 'Dépensé',
    repliesSent: 'Réponses envoyées',
    replyPrice: "Prix d'une réponse",
    naive: 'Coût si chaque contact avait reçu une réponse',
    avoided: 'Économisé grâce au bouclier et aux règles',
    avoidedNote:
      'Comme la ligne de 2017, qui répondait à chaque appel et SMS ; la somme économisée est ' +
      'ce coût moins la dépense réelle.',
    withheld: 'Réponses non envoyées, par motif',
    reason: 'Motif',
    count: 'Nombre',
    noneWithheld: "Aucune réponse n'a été retenue.",
  },
  shieldTable: {
    line: 'Ligne',
    start: 'Début',
    end: 'Fin',
    trigger: 'Déclenchement',
    why: 'Pourquoi',
  },
  shieldEnded: 'Fin :',
  shieldStillUp: "toujours actif à la fin de l'export",
  noShield: "Le bouclier ne s'est pas déclenché pendant la période.",
  chain: {
    count: 'Entrées dans le journal',
    headSeq: 'Position de la dernière entrée',
    head: 'Empreinte de la dernière entrée (SHA-256)',
    status: 'Vérification',
    intact: 'Intact : chaque entrée est bien liée à la précédente',
    broken: 'ROMPU : le journal a été modifié ou abîmé',
    message: 'Résultat détaillé',
    explain:
      "Chaque entrée du journal contient l'empreinte de la précédente : modifier, retirer ou " +
      'déplacer une entrée casse tous les liens qui suivent. La commande « nonmerci evidence ' +
      'verify », lancée sur la ligne, affiche la même empreinte de tête tant que rien n’a changé.',
  },
  withheldNumber: 'Numéro masqué',
  page: (n, total) => `Page ${n} sur ${total}`,
  generatedBy: 'Produit par nonmerci',
  labelNames: {
    insult: 'Insulte',
    threat: 'Menace',
    sexual: 'Contenu sexuel',
    spam: 'Publicité ou spam',
    test: 'Message de test',
    mockery: 'Moquerie (rires seuls)',
  },
  reasonNames: {
    cooldown: 'Déjà répondu à ce numéro récemment',
    destination_not_allowed: 'Numéro non autorisé (fixe, masqué ou hors zone)',
    foreign_number: 'Numéro étranger',
    budget_exhausted: 'Budget épuisé',
    paused: 'Ligne en pause',
    blocked: 'Numéro bloqué',
    provider_rejected: "Refusé par l'opérateur téléphonique",
    provider_retry: "En attente chez l'opérateur téléphonique",
    provider_error: "Erreur de l'opérateur téléphonique",
    expired: 'Délai dépassé',
    hostile: 'Expéditeur hostile',
    opted_out: 'A demandé à ne plus recevoir de SMS',
    keyword_rule: 'Règle sur mot-clé',
    test_message: 'Message de test',
    shield: 'Bouclier actif',
    shield_rationed: 'Bouclier actif (réponses rationnées)',
    paced: 'En attente pendant le raid (budget au compte-gouttes)',
  },
  triggerNames: {
    auto: 'Détection automatique',
    surge: 'Afflux de contacts détecté',
    operator: 'Décision de l’opératrice ou de l’opérateur',
    manual: 'Déclenché à la main',
  },
};

const en: Words = {
  locale: 'en-GB',
  title: 'Record of calls and texts received by the anti-harassment hotline',
  confidential: 'Confidential — contains personal data, to be handed to the authorities',
  intro:
    'This report summarises the hotline’s journal. Every single event is listed in events.csv ' +
    '(spreadsheet) and events.jsonl; README.txt explains how to check that nothing was altered.',
  sections: {
    organisation: 'Organisation filing the complaint',
    period: 'Period',
    lines: 'Lines covered',
    export: 'Export',
    totals: 'Totals',
    hours: 'Contacts per hour',
    topSenders: 'Most active senders',
    labels: 'Text labels',
    threats: 'Threats flagged',
    quoted: 'Quoted messages',
    money: 'Costs',
    shield: 'Shield',
    chain: 'Journal integrity',
  },
  period: {
    start: 'Start (local time)',
    end: 'End (local time)',
    startUtc: 'Start (UTC)',
    endUtc: 'End (UTC)',
    timeZone: 'Time zone',
  },
  organisation: {
    name: 'Name',
    address: 'Address',
    contact: 'Contact',
    missing:
      'Not given: an admin can set it once and for all on the Evidence page of the dashboard.',
  },
  exportedBy: 'Exported by',
  exportedAt: 'On',
  totals: {
    calls: 'Calls',
    texts: 'Texts',
    contacts: 'Contacts (calls and texts)',
    distinctSenders: 'Distinct senders',
  },
  chart: {
    caption: 'Calls and texts received, hour by hour (local time)',
    calls: 'Calls',
    texts: 'Texts',
    minutes: 'Calls and texts received, minute by minute (local time)',
    busiestMinutes: 'Minute by minute, the busiest three hours (local time)',
  },
  hoursTable: {
    hour: 'Hour',
    calls: 'Calls',
    texts: 'Texts',
    replies: 'Replies sent',
    omitted: 'Hours without any contact or reply are not listed.',
  },
  senders: {
    number: 'Number',
    calls: 'Calls',
    texts: 'Texts',
    labels: 'Labels',
    first: 'First contact',
    last: 'Last contact',
  },
  none: 'None',
  noSenders: 'No contact during the period.',
  labelsTable: { label: 'Label', texts: 'Texts' },
  noLabels: 'No text was labelled.',
  threatsTable: { time: 'Time', number: 'Number', line: 'Line', text: 'Text', labels: 'Labels' },
  noThreats: 'No text was labelled as a threat.',
  quotedWarning:
    'Warning: the messages below are reproduced in clear, as they were received. They contain insulting, sexist or threatening words. The organisation chose them to illustrate the complaint; all the others are in events.csv.',
  moreThreats: (n) => `… and ${n} more in events.csv (label "threat").`,
  money: {
    spent: 'Spent',
    repliesSent: 'Replies sent',
    replyPrice: 'Price of one reply',
    naive: 'Cost of replying to every contact',
    avoided: 'Saved by the shield and the rules',
    avoidedNote:
      'As the 2017 hotline did, replying to every call and text; the amount saved is that cost ' +
      'minus what was actually spent.',
    withheld: 'Replies not sent, by reason',
    reason: 'Reason',
    count: 'Count',
    noneWithheld: 'No reply was withheld.',
  },
  shieldTable: { line: 'Line', start: 'Start', end: 'End', trigger: 'Trigger', why: 'Why' },
  shieldEnded: 'Ended:',
  shieldStillUp: 'still up at the end of the export',
  noShield: 'The shield did not go up during the period.',
  chain: {
    count: 'Entries in the journal',
    headSeq: 'Position of the latest entry',
    head: 'Fingerprint of the latest entry (SHA-256)',
    status: 'Verification',
    intact: 'Intact: every entry is linked to the one before',
    broken: 'BROKEN: the journal was altered or damaged',
    message: 'Detailed result',
    explain:
      'Each journal entry holds the fingerprint of the one before: changing, removing or moving ' +
      'an entry breaks every link after it. The command "nonmerci evidence verify", run on the ' +
      'hotline, prints the same head fingerprint as long as nothing has changed.',
  },
  withheldNumber: 'Withheld number',
  page: (n, total) => `Page ${n} of ${total}`,
  generatedBy: 'Produced by nonmerci',
  labelNames: {
    insult: 'Insult',
    threat: 'Threat',
    sexual: 'Sexual content',
    spam: 'Advertising or spam',
    test: 'Test message',
    mockery: 'Mockery (bare laughter)',
  },
  reasonNames: {
    cooldown: 'Already replied to this number recently',
    destination_not_allowed: 'Number not allowed (landline, withheld or out of area)',
    foreign_number: 'Foreign number',
    budget_exhausted: 'Budget used up',
    paused: 'Line paused',
    blocked: 'Number blocked',
    provider_rejected: 'Refused by the phone company',
    provider_retry: 'Waiting on the phone company',
    provider_error: 'Phone company error',
    expired: 'Too late to send',
    hostile: 'Hostile sender',
    opted_out: 'Asked not to receive texts',
    keyword_rule: 'Keyword rule',
    test_message: 'Test message',
    shield: 'Shield up',
    shield_rationed: 'Shield up (replies rationed)',
    paced: 'Waiting during the raid (budget paced)',
  },
  triggerNames: {
    auto: 'Automatic detection',
    surge: 'Surge of contacts detected',
    operator: 'Operator’s decision',
    manual: 'Switched on by hand',
  },
};

const WORDS: Record<Language, Words> = { fr, en };

/** The words of the report in `language`. */
export function wordsFor(language: Language): Words {
  return WORDS[language];
}
