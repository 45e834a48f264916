import type { Command, StatusAbout } from './commands.ts';
import { analyzeText, type TextFindings } from './text-findings.ts';

/**
 * What in a status question can pick out one request: a document number (ours, "EXP-202611-0003",
 * or an ERP's, letters then digits), the amount, the day. The question's text goes along too: the
 * status answer looks there for a request's counterparty, payee, supplier or destination.
 */
const DOC_NUMBER = /\b[A-Za-z]{1,8}[-_/]?\d[\w-]*\d\b/u;
/**
 * A bare figure ("the 3,260 claim", "那张1200的"): in a question about a request, a number of two or
 * more digits that is not a date or a document number can only be the amount it was for.
 */
const FIGURE = /(?<![\w.\-/])(?:\d{1,3}(?:,\d{3})+|\d{2,})(?:\.\d{1,2})?(?![\w\-/%])/gu;

type Spanned = { start: number; end: number };
const overlaps = (a: Spanned, b: Spanned): boolean => a.start < b.end && b.start < a.end;

export function statusAbout(text: string, findings: TextFindings): StatusAbout {
  const about: StatusAbout = { text };
  const n = DOC_NUMBER.exec(text);
  if (n) about.number = n[0].toUpperCase();
  // The digits of a document number or a date are not an amount.
  const taken: Spanned[] = [...(n ? [{ start: n.index, end: n.index + n[0].length }] : []), ...findings.dates.mentions];
  const free = (m: Spanned): boolean => !taken.some((t) => overlaps(t, m));
  const amount = findings.money.filter(free).sort((a, b) => b.score - a.score)[0]?.value
    ?? [...text.matchAll(FIGURE)].map((m) => ({ start: m.index, end: m.index + m[0].length, value: Number(m[0].replace(/,/g, '')) })).find(free)?.value;
  if (amount !== undefined && amount > 0) about.amount = amount.toFixed(2);
  const day = findings.dates.days[0];
  if (day) about.date = day.value;
  return about;
}

/**
 * A turn's status questions with what the message says about the request meant. Done after any resolver
 * (offline, LLM, hybrid), so each gives the same commands and every one of them gets the same answer.
 */
export function withStatusAbout(commands: Command[], text: string, now: Date, timeZone: string): Command[] {
  if (!commands.some((c) => c.type === 'status_query' && !c.filters?.about)) return commands;
  const about = statusAbout(text, analyzeText(text, now, timeZone));
  return commands.map((c) => (c.type === 'status_query' && !c.filters?.about ? { ...c, filters: { ...c.filters, about } } : c));
}
