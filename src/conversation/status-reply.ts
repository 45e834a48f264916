import { buildStatusDetailCard } from '../cards/status-detail-card.ts';
import { buildStatusListCard } from '../cards/status-list-card.ts';
import type { CardView } from '../core/card-view.ts';
import { formatLocalDate, localDateOf } from '../core/time-zone.ts';
import { getUsers } from '../directory/directory-repo.ts';
import { latestErpDocs } from '../workflow/request-erp-docs.ts';
import * as requestRepo from '../workflow/request-repo.ts';
import type { RequestErpDoc, RequestRecord } from '../workflow/request-repo.ts';
import type { StatusAbout } from './commands.ts';
import type { ReplyContext } from './reply-jobs.ts';

/** How far back a question looks for the request it means, and how many a list shows. */
const LOOK_BACK = 50;
const LIST = 10;

export interface StatusFilters {
  intent?: string;
  status?: 'open' | 'all';
  about?: StatusAbout;
}

/** The request's own numbers: ours, the ERP document's, the number of the ERP document it approves. */
function numbersOf(r: RequestRecord, doc: RequestErpDoc | undefined): string[] {
  return [r.number, doc?.number, r.erpOrigin?.number, r.erpOrigin?.erpId].filter((n): n is string => !!n).map((n) => n.toUpperCase());
}

/** Days a request is known by: any date field (start, end, due…), and the day it was submitted. */
function daysOf(r: RequestRecord, timeZone: string): string[] {
  const fromFields = Object.values(r.fields).filter((v): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v));
  return [...fromFields, formatLocalDate(localDateOf(r.submittedAt, timeZone))];
}

/** Words of the request a question may use to name it: a payee, supplier, counterparty, destination, item. */
function namedIn(r: RequestRecord, text: string): boolean {
  const lowered = text.toLowerCase();
  return Object.values(r.fields).some((v) => typeof v === 'string' && v.trim().length >= 2 && !/^[\d.\-: ]+$/.test(v) && lowered.includes(v.trim().toLowerCase()));
}

/**
 * The requests a question fits. Number, amount and day must all match where given; a name from the
 * question narrows further only when some request carries it. `identified`: the question said something
 * that points at a request (its kind counts), so one match is the answer rather than a one-line list.
 */
export function pickRequests(requests: readonly RequestRecord[], docs: ReadonlyMap<string, RequestErpDoc>, filters: StatusFilters, timeZone: string): { matches: RequestRecord[]; identified: boolean } {
  const a = filters.about ?? {};
  let matches = requests.filter((r) => {
    const doc = docs.get(r.id);
    if (a.number && !numbersOf(r, doc).includes(a.number)) return false;
    if (a.amount && ![r.amount, doc?.amount, doc?.paidAmount].some((m) => m != null && Math.abs(Number(m) - Number(a.amount)) < 0.005)) return false;
    if (a.date && !daysOf(r, timeZone).includes(a.date)) return false;
    return true;
  });
  const named = a.text ? matches.filter((r) => namedIn(r, a.text ?? '')) : [];
  if (named.length) matches = named;
  const identified = !!(filters.intent || a.number || a.amount || a.date || named.length);
  return { matches, identified };
}

async function holdersOf(c: ReplyContext, shown: readonly RequestRecord[]): Promise<Map<string, string[]>> {
  const waiting = new Map<string, string[]>();
  for (const r of shown.filter((m) => m.status === 'pending')) {
    const tasks = await requestRepo.listTasks(c.db, r.id);
    waiting.set(r.id, tasks.filter((t) => t.status === 'pending').map((t) => t.approverId));
  }
  const users = await getUsers(c.db, c.tenantId, [...new Set([...waiting.values()].flat())]);
  return new Map([...waiting].map(([id, ids]) => [id, ids.map((u) => users.get(u)?.name ?? u)]));
}

/**
 * "Where is my …": about the one request the question picks out (number, amount, day, kind, a name it
 * carries), else the user's recent requests of that kind (all kinds when none of it), each with its stage.
 */
export async function statusCard(c: ReplyContext, filters: StatusFilters): Promise<CardView> {
  // Filtered in the query, then limited: the request asked about is found however many others are newer.
  const open = filters.status === 'open';
  const byIntent = filters.intent ? await requestRepo.listByRequester(c.db, c.tenantId, c.userId, LOOK_BACK, { intent: filters.intent, open }) : [];
  const pool = byIntent.length ? byIntent : await requestRepo.listByRequester(c.db, c.tenantId, c.userId, LOOK_BACK, { open });
  const docs = await latestErpDocs(c.db, pool.map((r) => r.id));
  const timeZone = c.timeZone ?? 'UTC';
  // Nothing of the kind asked about: the kind no longer picks anything out.
  const { intent: _kind, ...rest } = filters;
  const { matches, identified } = pickRequests(pool, docs, byIntent.length ? filters : rest, timeZone);
  const one = matches.length === 1 && identified ? matches[0] : undefined;
  if (one) {
    const holders = await holdersOf(c, [one]);
    return buildStatusDetailCard(one, docs.get(one.id), c.catalog, c.locale, timeZone, holders.get(one.id) ?? []);
  }
  const shown = (matches.length ? matches : pool).slice(0, LIST);
  return buildStatusListCard(shown, c.catalog, c.locale, await holdersOf(c, shown));
}
