import { settingsHelp } from '../config/load.ts';

export const USAGE: Record<string, string> = {
  main: `nonmerci: a self-hosted anti-harassment hotline

Usage: nonmerci <command> [options]

Commands:
  serve     Run the server: answers webhooks and sends the replies (npm start)
  migrate   Create or update the database tables, then exit
  call      Call a simulator line as some caller and watch the reply arrive
  text      Text a simulator line as some caller and watch the reply arrive
  pause     Stop all sending on a line at once (replies are kept)
  resume    Resume sending on a paused line
  help      Show help for a command, or "help settings" for every setting

Run "nonmerci <command> --help" for a command's options.`,
  serve: `Usage: nonmerci serve [--role all|web|worker]

Runs the hotline. Settings come from environment variables ("nonmerci help settings").
  --role all     answer webhooks and send replies (default)
  --role web     only answer webhooks (PostgreSQL: run workers elsewhere)
  --role worker  only send replies (PostgreSQL)`,
  migrate: `Usage: nonmerci migrate

Applies pending database migrations and exits. "serve" also does this at start.`,
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
  settings: `Settings (environment variables, also read from the shell that runs npm start):\n${settingsHelp()}`,
};
