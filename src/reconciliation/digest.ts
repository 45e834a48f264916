import { sql, type Transaction } from 'kysely';
import { reconciliationDigestCard, type ReconItemView } from '../cards/reconciliation-card.ts';
import type { ChatTarget } from '../core/inbound-event.ts';
import type { Locale } from '../core/locale.ts';
import type { Database } from '../db/database.ts';
import { deliveryLocales } from '../directory/chat-locales.ts';
import { enqueue, type NewJob } from '../jobs/enqueue.ts';
import type { CardPutPayload } from '../jobs/job-kinds.ts';
import { toFinding, type Finding } from './findings-repo.ts';
import type { ReconcileDeps } from './reconcile.ts';

/** The role whose people get the reconciliation digest when the tenant has no finance chat; drift goes to `admin`. */
export const FINANCE_ROLE = 'finance';
export const ADMIN_ROLE = 'admin';

/** Who a digest goes to: each recipient's chat (a group, or a person's own chat found at delivery) and language. */
interface Recipient { userId: string; target?: ChatTarget; locale: Locale }

export interface DigestResult { finance: { findings: number; cards: number }; drift: { findings: number; cards: number } }

const isDrift = (f: Finding): boolean => f.kind.startsWith('drift.');

/**
 * Tells about the open findings nobody was told of yet (notified_at null), in one transaction: the rows are locked
 * while the cards are enqueued (card.put) and marked notified in the same commit, so two replicas running at once send
 * one digest, and a failure sends none and marks none. Reconciliation findings go as one card to the tenant's finance
 * chat (`finance_chat` of its first bot that has one), else to each person with the finance role; drift findings as
 * their own card to each admin. Findings with nobody to tell (no such person reachable on a bot) wait for the next run.
 */
export async function sendDigests(d: ReconcileDeps, tenantId: string): Promise<DigestResult> {
  const result: DigestResult = { finance: { findings: 0, cards: 0 }, drift: { findings: 0, cards: 0 } };
  const now = d.clock.now();
  await d.db.transaction().execute(async (trx) => {
    const rows = await trx.selectFrom('recon_findings').selectAll().where('tenant_id', '=', tenantId)
      .where('closed_at', 'is', null).where('notified_at', 'is', null).orderBy('opened_at').orderBy('id').forUpdate().execute();
    if (rows.length === 0) return;
    const findings = rows.map(toFinding);
    const numbers = await requestNumbers(trx, tenantId, findings);
    const stamp = now.toISOString();
    const jobs: NewJob[] = [];
    const told: string[] = [];
    for (const scope of ['finance', 'drift'] as const) {
      const mine = findings.filter((f) => isDrift(f) === (scope === 'drift'));
      if (mine.length === 0) continue;
      const to = scope === 'finance' ? await financeRecipients(d, trx, tenantId) : await roleRecipients(d, trx, tenantId, ADMIN_ROLE);
      if (to.length === 0) continue;
      const items: ReconItemView[] = mine.map((f) => ({ kind: f.kind, requestNumber: f.requestId ? numbers.get(f.requestId) ?? null : null, connector: f.connector, erpId: f.erpId, details: f.details }));
      for (const r of to) {
        // A batch's first finding is told in this batch only: with it the subject is unique (two runs in one instant too).
        const subject = `${scope === 'finance' ? 'recon' : 'drift'}:${tenantId}:${stamp}:${mine[0]!.id}:${r.userId}`;
        const card = reconciliationDigestCard(items, { locale: r.locale, timeZone: d.timeZone, scope, key: subject });
        const payload: CardPutPayload = { subject, userId: r.userId, ...(r.target ? { target: r.target } : {}), card, version: 1 };
        jobs.push({ tenantId, kind: 'card.put', payload, idempotencyKey: `card.put:${subject}` });
      }
      result[scope] = { findings: mine.length, cards: to.length };
      told.push(...mine.map((f) => f.id));
    }
    if (told.length === 0) return;
    await enqueue(trx, jobs, d.maxAttempts);
    await trx.updateTable('recon_findings').set({ notified_at: now }).where('id', 'in', told).execute();
  });
  if (result.finance.cards + result.drift.cards > 0) d.onCommitted?.();
  return result;
}

async function requestNumbers(trx: Transaction<Database>, tenantId: string, findings: Finding[]): Promise<Map<string, string>> {
  const ids = [...new Set(findings.map((f) => f.requestId).filter((x): x is string => !!x))];
  if (ids.length === 0) return new Map();
  const rows = await trx.selectFrom('requests').select(['id', 'number']).where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.number]));
}

/**
 * The tenant's finance chat, as a group target of the first bot that names one (the console has no group chats: its
 * schema refuses one), in that bot's language; else each person with the finance role.
 */
async function financeRecipients(d: ReconcileDeps, trx: Transaction<Database>, tenantId: string): Promise<Recipient[]> {
  const bot = d.bots.find((b) => b.tenant === tenantId && b.finance_chat && b.platform !== 'console');
  if (bot?.finance_chat) {
    return [{ userId: `chat:${bot.finance_chat}`, target: { platform: bot.platform, botId: bot.id, chatId: bot.finance_chat }, locale: bot.locale }];
  }
  return roleRecipients(d, trx, tenantId, FINANCE_ROLE);
}

/** Active people with `role` who can be reached on a bot, each in the language of their chat with it. */
async function roleRecipients(d: ReconcileDeps, trx: Transaction<Database>, tenantId: string, role: string): Promise<Recipient[]> {
  const users = await trx.selectFrom('users').select('id').where('tenant_id', '=', tenantId).where('active', '=', true)
    .where(sql<boolean>`${role} = any(roles)`).orderBy('id').execute();
  const localeOf = (botId: string): Locale => d.bots.find((b) => b.id === botId)?.locale ?? 'zh';
  const locales = await deliveryLocales(trx, tenantId, users.map((u) => u.id), localeOf);
  // People with no chat identity are left out: a card to them would dead-letter (no target).
  return users.filter((u) => locales.has(u.id)).map((u) => ({ userId: u.id, locale: locales.get(u.id)! }));
}
