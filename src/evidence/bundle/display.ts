/**
 * Raiders' texts can hold control characters that would corrupt a PDF line or an HTML document, or
 * simply be invisible. The reports show each one as U+FFFD (the replacement mark); line breaks and
 * tabs stay readable. The exact text remains in events.jsonl.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** `text` with control characters made visible, line breaks kept, CRLF as one break. */
export function printable(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/\t/g, ' ').replace(CONTROLS, '\uFFFD');
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** `text` escaped for HTML text and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}
