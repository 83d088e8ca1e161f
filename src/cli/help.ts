import { settingsHelp } from '../config/load.ts';

export const USAGE: Record<string, string> = {
  main: `nonmerci: a self-hosted anti-harassment hotline

Usage: nonmerci <command> [options]

Commands:
  serve     Run the server: answers webhooks and sends the replies (npm start)
  migrate   Create or update the database tables, then exit
  backup    Write a backup of the whole database while the hotline runs
  restore   Load a backup into an empty database (SQLite or PostgreSQL)
  call      Call a simulator line as some caller and watch the reply arrive
  text      Text a simulator line as some caller and watch the reply arrive
  pause     Stop all sending on a line at once (replies are kept)
  resume    Resume sending on a paused line
  shield    Show the raid shield of each line, or switch it on, off or back to automatic
  rules     Blocklist, allowlist, STOP list and keyword rules
  audit     Show who changed what, and when
  evidence  Verify the tamper-evident record; export a raid for a complaint
  privacy   Answer a person's request: export or erase their data; run retention now
  admin     Dashboard accounts: reset a password, list users
  secret    Rotate the key that encrypts stored phone numbers, or show its versions
  simulate  Replay a raid against this deployment's settings: what would it cost?
  connect   Go live: check provider credentials, point a number at this hotline, write .env
  doctor    Check a live setup, item by item, and say what to fix
  help      Show help for a command, or "help settings" for every setting

Run "nonmerci <command> --help" for a command's options.`,
  serve: `Usage: nonmerci serve [--role all|web|worker] [--processes N]

Runs the hotline. Settings come from environment variables ("nonmerci help settings").
  --role all       answer webhooks and send replies (default)
  --role web       only answer webhooks (PostgreSQL: run workers elsewhere)
  --role worker    only send replies (PostgreSQL)
  --processes N    run N whole servers sharing the port and the database (PostgreSQL), to use
                   N cores; a process that dies is started again`,
  evidence: `Usage: nonmerci evidence verify
       nonmerci evidence export --from TIME --to TIME [--line NUMBER] --out FILE.zip [--language fr|en]
       nonmerci evidence hold --from TIME --to TIME [--line NUMBER] [--note TEXT]
       nonmerci evidence holds
       nonmerci evidence release ID

Every call, text, reply decision, shield change and operator action is recorded in a hash chain:
changing, removing or reordering any record afterwards breaks it.
  verify   walk the whole chain: "intact" with its size and head, or the entry that breaks it
           (exit code 1 when broken)
  export   write a ZIP for the authorities: events (CSV and JSON Lines, full numbers and texts),
           a summary report (HTML and PDF), the chain head, SHA-256 sums of every file and a
           note on checking them with sha256sum. Audited; the period is then kept as evidence.
  hold     keep a period as evidence: retention erases nothing in it until it is released
  holds    list the periods kept as evidence
  release  release a period kept as evidence
TIME is local time in TIMEZONE (2026-11-01T16:00) or UTC with Z (2026-11-01T15:00Z).
  --by NAME  who to record in the audit log (default: your system user)`,
  privacy: `Usage: nonmerci privacy export NUMBER [--out FILE]
       nonmerci privacy erase NUMBER [--by NAME]
       nonmerci privacy retention [--dry-run]

A person may ask what the hotline holds about their number, or for it to be erased (GDPR
articles 15 and 17). NUMBER in any usual spelling: 06 12 34 56 78 or +33612345678.
  export     everything held about the number as JSON: the number in full, calls and texts,
             replies, simulator messages, journal entries, what is kept as evidence and why,
             and when the rest will be erased. To stdout, or to FILE (readable by you only).
  erase      erase everything about the number except what is kept as evidence (hostile
             caller, contact marked as evidence, period held as evidence: GDPR article
             17(3)(e)); prints what was erased, what was kept and why. Pending replies are
             cancelled.
  retention  erase now what RETENTION lets go (the server does it hourly); --dry-run only
             says what it would erase
  --out FILE  where to write the export
  --by NAME   who you are, for the audit log (default: your system user)
Export and erase are written to the audit log, with the number masked.`,
  secret: `Usage: nonmerci secret [status]
       nonmerci secret rotate [--by NAME]

  status   lists the versions of the key that encrypts stored phone numbers, which one is
           current, and how many stored values use each (the default)
  rotate   creates a new key version and re-encrypts every stored number under it while the
           hotline keeps running: waits 15 s so every running process knows the new key,
           re-encrypts in batches, retires the old keys, waits 10 s for late writers, re-encrypts
           again, then destroys the old keys nothing uses any more. Nothing to restart, and
           NONMERCI_SECRET does not change. If interrupted, run it again: it finishes the job.
  --by NAME  who you are, for the audit log (default: your system user)
Look-ups (same caller, blocklist, one reply per sender) use a blind index derived from
NONMERCI_SECRET, which is not rotated. Keep backing the secret up: the number keys are stored
wrapped under a key derived from it.`,
  migrate: `Usage: nonmerci migrate [--check]

Applies pending database migrations and exits. "serve" also does this at start.
  --check  only say whether migrations are pending, and which: exit code 1 if some are, 0 if
           none; applies nothing`,
  backup: `Usage: nonmerci backup FILE

Writes one consistent backup of the whole database to FILE while the hotline keeps running
(SQLite: an online copy; PostgreSQL: one read-only snapshot). The file is gzip'd JSON Lines,
readable by you only (0600), written whole or not at all, and restores into SQLite or
PostgreSQL ("nonmerci restore"). Its first line says what it holds:
zcat FILE | head -1.
It does NOT hold NONMERCI_SECRET: phone numbers stay encrypted, and no backup can be restored
without that secret. Keep a copy of the secret, apart from the backups.`,
  restore: `Usage: nonmerci restore FILE [--force]

Checks FILE through (its SHA-256 and row counts), then loads it into the database of
DATABASE_URL, SQLite or PostgreSQL, whichever made the backup: restoring a SQLite backup into
PostgreSQL is how a hotline moves to several processes. The database must be empty; its tables
are created. Needs the NONMERCI_SECRET of the hotline that made the backup. Stop nonmerci on the
old and the new database first: replies pending in the backup are sent by the restored one.
Prints the evidence chain's verdict on the restored data.
  --force  replace everything the database holds by the backup`,
  call: `Usage: nonmerci call --from NUMBER [--line NUMBER] [--no-wait]

Places a simulated call to a line of the running server, prints the voice answer, then waits
for the consent SMS and prints it (or why none was sent).
  --from NUMBER  caller number, e.g. +33639980012 (ARCEP fiction range: safe for demos)
  --line NUMBER  line to call (default: the only simulator line)
  --no-wait      do not wait for the SMS`,
  text: `Usage: nonmerci text --from NUMBER --body TEXT [--line NUMBER] [--no-wait]

Sends a simulated SMS to a line of the running server, then waits for the consent SMS.
  --from NUMBER  sender number, e.g. +33639980012
  --body TEXT    text of the message
  --line NUMBER  line to text (default: the only simulator line)
  --no-wait      do not wait for the reply`,
  pause: `Usage: nonmerci pause [--line NUMBER] [--reject-calls]

The kill switch. Stops all sending on a line (default: every line) at once; pending replies are
kept and go out on "resume". Calls still hear a short "service paused" message.
  --line NUMBER    the line to pause (default: all lines)
  --reject-calls   refuse calls instead with a free <Reject/> (nothing is billed)`,
  resume: `Usage: nonmerci resume [--line NUMBER]

Resumes sending on a paused line (default: every line); held replies go out at once.`,
  shield: `Usage: nonmerci shield [on|off|auto] [--line NUMBER] [--by NAME]

Without a mode: shows each line's shield and its periods of the last 24 hours.
  on      switch the shield on now and keep it on
  off     switch it off and keep it off, whatever the traffic
  auto    let the detectors decide again (the default): a fast raid (many contacts or new numbers
          in one minute) or a slow one (many hostile newcomers in SHIELD_SLOW_WINDOW)
While the shield is on, what callers write and how often they come back decides who gets a reply;
the day's budget is paced (enough is kept for the ordinary callers still expected before
midnight, least hostile callers first; SHIELD_PACING_FLOOR); callers who come back get a free
<Reject/>. When it is off, only the destination, cooldown, STOP, rules, "test" messages and caps
decide: an angry caller still gets his one reply.
  --line NUMBER  only this line (default: every line)
  --by NAME      who you are, for the audit log (default: your system user)`,
  rules: `Usage: nonmerci rules [list]
       nonmerci rules block|unblock NUMBER|PREFIX*
       nonmerci rules allow|unallow NUMBER|PREFIX*
       nonmerci rules stop|unstop NUMBER
       nonmerci rules keyword "TEXT"
       nonmerci rules remove ID

  block    never reply, and refuse calls for free (e.g. +33612345678, or +336123* for a range)
  allow    always treat as an ordinary caller: no keyword, test or hostility rule, first in line
           while the shield paces replies (destination, cooldown, caps and pacing still apply)
  stop     never text this number again (callers who text STOP or ARRET are added on their own)
  keyword  texts containing this word or phrase get no reply (spelling tricks are undone:
           "t3st" and "t e s t" match "test")
  remove   delete a prefix or keyword rule by its number (see "nonmerci rules")
  --note TEXT   why, kept with the rule
  --by NAME     who you are, for the audit log (default: your system user)
Numbers are stored encrypted and shown masked. Every change is written to the audit log.`,
  admin: `Usage: nonmerci admin reset-password [USER] [--password-stdin]
       nonmerci admin users

  reset-password  sets a new password for USER (default: admin) and signs them out everywhere;
                  creates USER as an administrator if there is no such account. Without
                  --password-stdin a strong password is generated and printed once.
  users           lists the dashboard accounts and their roles`,
  audit: `Usage: nonmerci audit [--limit N]

Lists the latest operator actions (rules, shield, pause), newest first. Default: 50.`,
  simulate: `Usage: nonmerci simulate --scenario NAME|FILE [--out FILE.html] [--language fr|en] [--json]

Replays a scenario (scenarios/*.yaml: raid-2017, slow-drip, spoofed-pumping, quiet-day, or your
own copy) against the real policy, scheduler and storage on a virtual clock, with this
deployment's settings (budget, delay, shield thresholds) and a simulated phone network, in a
temporary database: nothing is sent and your data is not touched. Prints what the raid would
have cost and writes an HTML report with a chart.
  --scenario NAME|FILE  a scenario name or a path to a YAML or JSON file
  --out FILE.html       where to write the report (default: ./simulation-NAME.html)
  --language fr|en      language of the report (default: HOTLINE_LANGUAGE)
  --json                print the summary as JSON instead of a table`,
  connect: `Usage: nonmerci connect twilio|telnyx|vonage [--number NUMBER] [--public-url https://…] [--dry-run]

Connects a number of your provider account to this hotline in one go:
  1. checks the provider's credentials with it (asked for in a terminal if unset)
  2. lists the account's numbers and lets you choose one (or takes --number)
  3. points the number's webhooks at PUBLIC_URL/webhooks/PROVIDER/…, all HTTP POST (the server's
     start-up message lists the addresses)
  4. writes the credentials, HOTLINE_NUMBER, HOTLINE_PROVIDER and PUBLIC_URL to ./.env, keeping its
     other lines and comments, readable by you only (0600)
  twilio  TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN. Sets the number's voice, sms and status URLs.
  telnyx  TELNYX_API_KEY, TELNYX_PUBLIC_KEY. Sets the voice URL of the number's TeXML application
          and the webhook of its messaging profile; a number without them gets the addresses to
          paste, and where in the Telnyx portal.
  vonage  VONAGE_API_KEY, VONAGE_API_SECRET, VONAGE_APPLICATION_ID, VONAGE_SIGNATURE_SECRET. Sets
          the application's answer, event, inbound and status URLs and links the number to it.
          With only the application's id and private key it prints the addresses to paste in the
          dashboard ("Applications" › the application › "Edit") and exits with code 2.
PUBLIC_URL must be the public https address of your reverse proxy: no provider can call an http
or local address. In France, use a 09 number: automated traffic is not allowed from 06/07 mobiles.
  --number NUMBER   the number to use, e.g. +33939000000 or 09 39 00 00 00; without it and
                    without a terminal, the numbers are listed and the command exits with code 2
  --public-url URL  the public https address, instead of PUBLIC_URL
  --dry-run         show what would change at the provider and in .env, and change nothing
Tokens, keys and secrets are never printed. Run "nonmerci connect" for the providers it knows.`,
  doctor: `Usage: nonmerci doctor [--json]

Checks everything a live hotline needs and prints each item ✔ or ✘ with what to do: the database
and its tables, the budget caps, the time zone, the secret and the files' permissions, free disk
space, the last backup; with a provider (Twilio, Telnyx, Vonage), that PUBLIC_URL is https and
answers through the internet, that each configured provider accepts its credentials, and that
HOTLINE_NUMBER is on its provider's account with its webhooks at PUBLIC_URL. Changes nothing.
Exit status 1 when an item fails.

  --json  print {"checks":[{"id","ok","message","fix"}]} for scripts`,
  settings: `Settings (environment variables, also read from the shell that runs npm start):\n${settingsHelp()}`,
};

/** The topics of `nonmerci help TOPIC`: every command, and "settings". */
export const HELP_TOPICS = Object.keys(USAGE).filter((topic) => topic !== 'main');

/** The help text of a topic or command, or null: only USAGE's own keys ("toString" is none). */
export function helpFor(topic: string): string | null {
  return Object.hasOwn(USAGE, topic) ? USAGE[topic]! : null;
}
