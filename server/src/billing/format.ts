import type { Amount } from './money';
import { compareDesc, exact, sum } from './money';

/** Tool answers stay under this many bytes of text: MCP clients feed the text to a model with a finite context. */
export const MAX_TEXT_BYTES = 16 * 1024;

/** Default number of rows shown before the rest are folded into one "others" row. */
export const TOP_ROWS = 25;

export interface RankedRow {
  readonly label: string;
  readonly amount: Amount;
  /** Extra cells after the label and amount. */
  readonly cells?: readonly string[];
}

/** A markdown table. Cells are escaped so that a tag value with a pipe cannot break the table. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  const lines = [`| ${headers.map(esc).join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.map(esc).join(' | ')} |`);
  return lines.join('\n');
}

/**
 * Sorts rows by amount (largest first), keeps the top `limit` and folds the rest into an "others" row, and adds
 * a total row. Every amount is exact.
 */
export function rankedTable(
  headers: readonly string[],
  rows: readonly RankedRow[],
  limit = TOP_ROWS,
  totalLabel = '**Total**',
): {
  text: string;
  shown: RankedRow[];
  others: { count: number; amount: Amount } | undefined;
  total: Amount;
} {
  const sorted = [...rows].sort((a, b) => compareDesc(a.amount, b.amount) || a.label.localeCompare(b.label));
  const shown = sorted.slice(0, limit);
  const rest = sorted.slice(limit);
  const total = sum(sorted.map((r) => r.amount));
  const extra = Math.max(0, headers.length - 2);
  const blanks = Array<string>(extra).fill('');
  const lines: string[][] = shown.map((r) => [r.label, exact(r.amount), ...(r.cells ?? blanks)]);
  let others: { count: number; amount: Amount } | undefined;
  if (rest.length > 0) {
    others = { count: rest.length, amount: sum(rest.map((r) => r.amount)) };
    lines.push([`(${rest.length} others)`, exact(others.amount), ...blanks]);
  }
  lines.push([totalLabel, `**${exact(total)}**`, ...blanks]);
  return { text: table(headers, lines), shown, others, total };
}

/** Cuts text to the byte budget at a line boundary and says what was cut and how to narrow. */
export function capText(
  text: string,
  howToNarrow: string,
  maxBytes = MAX_TEXT_BYTES,
): { text: string; truncated: boolean } {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return { text, truncated: false };
  const notice = `\n\n…answer cut to ${Math.round(maxBytes / 1024)} KB. ${howToNarrow}`;
  const budget = maxBytes - Buffer.byteLength(notice, 'utf8');
  const lines = text.split('\n');
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    const size = Buffer.byteLength(line, 'utf8') + 1;
    if (used + size > budget) break;
    kept.push(line);
    used += size;
  }
  return { text: kept.join('\n') + notice, truncated: true };
}

/** How an account reads in an answer's heading: `name (id)` where its name is known, else the id. */
export function accountLabel(account: { readonly accountId: string; readonly name?: string }): string {
  return account.name ? `${account.name} (${account.accountId})` : account.accountId;
}
