import { InvalidInputError } from './errors.ts';

/**
 * Text an operator writes: a line's voice message and SMS reply, a keyword rule, a note, the name
 * an action is recorded under. It is checked with these rules wherever it enters (dashboard API,
 * command line), and stored text is cleaned with the same rules wherever it leaves toward a strict
 * format (TwiML is XML 1.0; a terminal obeys escape sequences).
 *
 * Allowed: any Unicode text; line breaks and tabs only in texts of several lines (an SMS, the voice
 * message). Refused: the other C0 controls (U+0000–U+001F: NUL, BEL, ESC…), DEL and the C1
 * controls (U+007F–U+009F), unpaired surrogates (half an emoji, from a bad copy or a broken client)
 * and the Unicode noncharacters (U+FFFE, U+FFFF…). XML 1.0 forbids most of them, PostgreSQL cannot
 * store NUL, and none of them can be spoken or texted.
 */
export interface OperatorTextRule {
  /** How a refusal names the text: "The voice message". */
  label: string;
  /** At most this many characters (code points, so an emoji counts as one), once trimmed. */
  maxChars: number;
  /** Line breaks and tabs are allowed; line endings are stored as "\n". */
  multiline: boolean;
  /** An empty text (once trimmed) is accepted; otherwise it is refused. */
  optional?: boolean;
}

/** Read by text-to-speech: a minute or two of speech. */
export const VOICE_TEXT: OperatorTextRule = {
  label: 'The voice message',
  maxChars: 2000,
  multiline: true,
};

/**
 * The consent SMS. Twilio refuses bodies over 1,600 characters; the real limit is 10 segments,
 * which depends on the encoding: see `checkReplySegments`.
 */
export const REPLY_TEXT: OperatorTextRule = {
  label: 'The SMS text',
  maxChars: 1600,
  multiline: true,
};

export const KEYWORD: OperatorTextRule = { label: 'The keyword', maxChars: 100, multiline: false };
export const PREFIX: OperatorTextRule = { label: 'The prefix', maxChars: 100, multiline: false };
export const PHONE_NUMBER: OperatorTextRule = {
  label: 'The number',
  maxChars: 40,
  multiline: false,
};
export const RULE_NOTE: OperatorTextRule = {
  label: 'The note',
  maxChars: 300,
  multiline: false,
  optional: true,
};
/** The name an operator command is recorded under in the audit log (`--by`). */
export const ACTOR_NAME: OperatorTextRule = {
  label: 'The name given with --by',
  maxChars: 80,
  multiline: false,
};

/** An SMS is sent as at most this many concatenated segments. */
export const MAX_REPLY_SEGMENTS = 10;

/** What a segment counter says about a text (policy/cost.ts `smsCost` gives it). */
export interface SegmentCount {
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
  /** The characters that force UCS-2. */
  nonGsmCharacters: readonly string[];
}

const NAMES: Record<number, string> = {
  0x00: 'NUL',
  0x07: 'BEL',
  0x08: 'backspace',
  0x1b: 'ESC',
  0x7f: 'DEL',
};

/** What no operator text may hold: controls but tab and line endings, lone surrogates, noncharacters. */
const FORBIDDEN = /[[\p{Cc}--[\t\n\r]]\p{Cs}\p{Noncharacter_Code_Point}]/v;
const FORBIDDEN_ALL = new RegExp(FORBIDDEN.source, 'gv');
/** The same in a one-line text, where tabs and line breaks are refused too. */
const FORBIDDEN_ONE_LINE = /[\p{Cc}\p{Cs}\p{Noncharacter_Code_Point}]/v;
const CONTROL = /\p{Cc}/v;

const codePoint = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Checks an operator's text and returns it as it should be stored: trimmed, with "\r\n" and "\r"
 * line endings as "\n". Throws InvalidInputError naming the text (and `field`, for the dashboard)
 * and what to change.
 */
export function checkOperatorText(raw: string, rule: OperatorTextRule, field?: string): string {
  const refuse = (message: string): never => {
    throw new InvalidInputError(`${rule.label} ${message}`, field ? { field } : {});
  };
  const text = (rule.multiline ? raw.replace(/\r\n?/g, '\n') : raw).trim();
  const found = (rule.multiline ? FORBIDDEN : FORBIDDEN_ONE_LINE).exec(text);
  if (found) {
    const cp = found[0].codePointAt(0)!;
    if (cp === 0x09 || cp === 0x0a || cp === 0x0d) refuse('must fit on one line.');
    const position = [...text.slice(0, found.index)].length + 1;
    const what =
      cp >= 0xd800 && cp <= 0xdfff
        ? `half of an emoji or symbol (${codePoint(cp)})`
        : CONTROL.test(found[0])
          ? `an invisible control character (${codePoint(cp)}${NAMES[cp] ? ` ${NAMES[cp]}` : ''})`
          : `a code that is not a character (${codePoint(cp)})`;
    refuse(
      `contains ${what} at character ${position}. Remove it and try again; text pasted from another program can bring such characters.`,
    );
  }
  const length = [...text].length;
  if (length === 0 && !rule.optional) refuse('cannot be empty.');
  if (length > rule.maxChars)
    refuse(
      `is too long: ${length.toLocaleString('en')} characters, ${rule.maxChars.toLocaleString('en')} at most.`,
    );
  return text;
}

/**
 * Refuses an SMS over 10 segments. A segment holds 153 characters of the GSM-7 alphabet (1,530 in
 * all; "€", "[" and a few others count twice) or only 67 UTF-16 units in UCS-2 (670), which a
 * single "ç", emoji or typographic apostrophe imposes on the whole text.
 */
export function checkReplySegments(count: SegmentCount, field?: string): void {
  if (count.segments <= MAX_REPLY_SEGMENTS) return;
  const shown = [...new Set(count.nonGsmCharacters)]
    .slice(0, 5)
    .map((c) => JSON.stringify(c))
    .join(', ');
  const why =
    count.encoding === 'UCS-2'
      ? `in UCS-2 (because of ${shown || 'characters outside the GSM-7 alphabet'}), which holds 67 characters a segment, about 670 in all; without those characters it would be sent in GSM-7, up to 1,530 characters`
      : 'in GSM-7, which holds 153 characters a segment, 1,530 in all ("€", "[", "]", "{", "}", "~", "^", "|" and "\\" count twice)';
  const what = `${count.segments} SMS segments; ${MAX_REPLY_SEGMENTS} at most. It would be sent ${why}.`;
  throw field
    ? new InvalidInputError(`"${field}" is too long: the SMS text takes ${what}`, { field })
    : new InvalidInputError(`${REPLY_TEXT.label} takes ${what}`);
}

/**
 * Stored text with every character `checkOperatorText` refuses in a text of several lines removed,
 * so that a text stored before these checks (or written to the database by hand) can still be
 * spoken, printed or put in XML. What is left is always valid XML 1.0 character data.
 */
export function withoutForbiddenCharacters(text: string): string {
  return text.replace(FORBIDDEN_ALL, '');
}
