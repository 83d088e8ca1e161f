/**
 * A range of numbers (the start of a number in E.164) as an operator reads it, with "··" standing
 * for the digits it leaves open: "+336123456" → "+33 6 12 34 56 ··". French numbers are grouped the
 * French way; others are left in one block.
 */
export function formatRange(prefix: string): string {
  const french = /^\+33(\d)(\d*)$/.exec(prefix);
  if (!french) return `${prefix} ··`;
  const pairs = french[2]!.match(/\d{1,2}/g) ?? [];
  const open = pairs.at(-1)?.length === 1 ? '·' : ' ··';
  return `+33 ${[french[1], ...pairs].join(' ')}${open}`;
}
