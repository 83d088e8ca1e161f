import type { Piece } from './plain-text.ts';
import type { ChainExample, ReadmeFacts } from './readme.ts';

function example(label: string, e: ChainExample | null): Piece[] {
  if (!e) return [];
  return [
    `Exemple tiré de ce dossier, l’entrée n° ${e.seq} (sous macOS, remplacez sha256sum ` +
      'par shasum -a 256) :',
    {
      code: [
        `printf '${label}\\n%s\\n%s\\n%s' ${e.seq} \\`,
        `  ${e.previous} \\`,
        `  ${e.contentHash} \\`,
        '  | sha256sum',
      ],
    },
    'doit afficher l’empreinte de cette entrée (entryHash) :',
    { code: [e.entryHash] },
  ];
}

/** The French half of README.txt. */
export function readmeFrench(f: ReadmeFacts): Piece[] {
  return [
    { heading: 'FRANÇAIS' },
    { heading: 'Ce que contient ce dossier' },
    'Ce dossier a été produit par nonmerci, le logiciel d’une ligne téléphonique ' +
      'anti-harcèlement : la ligne répond aux appels et aux SMS, envoie au plus un SMS sur le ' +
      'consentement, et garde un journal de tout ce qu’elle reçoit.',
    `Il rassemble les appels et SMS reçus du ${f.from} au ${f.to} (fuseau horaire ${f.timeZone}), ` +
      `soit du ${f.fromUtc} au ${f.toUtc}, et ce que la ligne en a fait. ` +
      `Il a été exporté par ${f.exportedBy} le ${f.generatedAt}.`,
    'Il contient des données personnelles : numéros de téléphone et textes des messages, ' +
      'dont des insultes et des menaces. Ne le transmettez qu’aux personnes chargées de ' +
      'l’affaire.',
    { heading: 'Les fichiers' },
    {
      term: 'summary.pdf',
      text: 'Le rapport à lire en premier : chiffres, heures, expéditeurs, menaces, coûts.',
    },
    { term: 'summary.html', text: 'Le même rapport, à ouvrir dans un navigateur.' },
    {
      term: 'events.csv',
      text:
        'Tous les événements, un par ligne, à ouvrir dans un tableur (Excel, LibreOffice). ' +
        'Une cellule qui commence par =, +, - ou @ reçoit une apostrophe devant, pour que le ' +
        'tableur ne l’exécute pas comme une formule : les numéros apparaissent donc sous la ' +
        "forme '+33639980012 au lieu de +33639980012. Les valeurs exactes sont dans events.jsonl.",
    },
    {
      term: 'events.jsonl',
      text: 'Les mêmes événements, valeurs exactes, un objet JSON par ligne, pour les programmes.',
    },
    {
      term: 'chain-head.txt',
      text: 'L’état de la chaîne d’empreintes du journal au moment de l’export.',
    },
    { term: 'SHA256SUMS', text: 'L’empreinte SHA-256 de chacun des fichiers ci-dessus.' },
    { term: 'README.txt', text: 'Cette notice.' },
    'Chaque heure est donnée deux fois : en temps universel (colonne time_utc, terminée par Z) ' +
      'et en heure locale avec son décalage (colonne time_local ; par exemple +01:00 pour ' +
      'l’heure d’hiver à Paris, +02:00 pour l’heure d’été).',
    'Un appelant « withheld » avait masqué son numéro. Un événement marqué « yes » dans la ' +
      'colonne erased a été effacé par la règle de conservation des données : son texte n’existe ' +
      'plus, mais son empreinte est gardée, si bien que la chaîne se vérifie toujours.',
    { heading: 'Vérifier que rien n’a été modifié' },
    '1. Les empreintes des fichiers. Une empreinte SHA-256 est une suite de 64 caractères ' +
      'calculée à partir du contenu d’un fichier : si un seul caractère du fichier change, ' +
      'l’empreinte change complètement. Le fichier SHA256SUMS donne l’empreinte de chaque ' +
      'fichier du dossier. Pour les recalculer, ouvrez un terminal dans ce dossier et tapez :',
    {
      code: [
        'sha256sum -c SHA256SUMS            (Linux)',
        'shasum -a 256 -c SHA256SUMS       (macOS)',
      ],
    },
    'La commande doit déclarer chaque fichier correct (OK) et aucun en échec. Sous Windows, ' +
      'dans PowerShell :',
    { code: ['Get-FileHash -Algorithm SHA256 events.csv'] },
    'puis comparez à l’œil l’empreinte affichée avec celle de la ligne « events.csv » de ' +
      'SHA256SUMS (Windows l’écrit en majuscules : c’est la même). Faites de même pour chaque ' +
      'fichier.',
    '2. L’empreinte de SHA256SUMS. Au moment de l’export, la ligne a inscrit l’empreinte du ' +
      'fichier SHA256SUMS dans son journal d’audit. La personne qui gère la ligne peut ainsi ' +
      'prouver que ce dossier est bien celui qu’elle a exporté : l’empreinte que donne la ' +
      'commande suivante doit être celle du journal d’audit.',
    { code: ['sha256sum SHA256SUMS'] },
    '3. L’empreinte de chaque événement. Dans events.jsonl, chaque événement porte son contenu ' +
      'exact (champ content, un texte JSON canonique) et l’empreinte de ce contenu (champ ' +
      'contentHash) : contentHash est le SHA-256 des octets UTF-8 de content. Par exemple, ' +
      'pour le premier événement, avec l’outil jq :',
    { code: ['head -n 1 events.jsonl | jq -j .content | sha256sum'] },
    'doit afficher la valeur contentHash de la même ligne. Les autres champs de la ligne ' +
      '(heure, numéro, texte…) reprennent ce que dit content, pour la commodité ; c’est content ' +
      'que l’empreinte protège : en cas de doute, content fait foi.',
    '4. La chaîne. Les entrées du journal sont enchaînées dans l’ordre de leur numéro (seq) : ' +
      'l’empreinte de chaque entrée (entryHash) est le SHA-256 du texte de quatre lignes ' +
      'ci-dessous, séparées par un simple saut de ligne, sans saut de ligne à la fin :',
    {
      code: [
        f.chainLabel,
        '<seq>',
        '<entryHash de l’entrée précédente, 64 zéros pour la toute première>',
        '<contentHash>',
      ],
    },
    'Modifier, retirer ou déplacer une entrée casse donc tous les liens qui suivent. Ce dossier ' +
      'ne contient que les entrées de la période et des lignes exportées : les numéros seq ' +
      'peuvent sauter, et le lien se vérifie entre deux entrées de numéros consécutifs.',
    ...example(f.chainLabel, f.example),
    '5. La tête de la chaîne. chain-head.txt donne le nombre d’entrées, la position et ' +
      'l’empreinte de la dernière entrée au moment de l’export. Sur la ligne, la commande ' +
      '« nonmerci evidence verify » revérifie toute la chaîne et affiche sa tête : tant ' +
      'qu’aucune entrée n’a été ajoutée, c’est la même empreinte ; ensuite, la chaîne continue ' +
      'à partir de cette entrée, dont l’empreinte ne change pas.',
    'Tout vérifier d’un coup (pour un technicien) : le programme Python 3 check.py, à la fin ' +
      'de cette notice, recalcule chaque contentHash et chaque lien entre entrées consécutives. ' +
      'Enregistrez-le dans ce dossier et lancez « python3 check.py » : il doit finir par OK.',
  ];
}
