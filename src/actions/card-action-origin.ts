import { sql, type Kysely } from 'kysely';
import { actionOf, cardSubject, TASK_OPS } from '../cards/card-actions.ts';
import type { InboundCardAction } from '../core/inbound-event.ts';
import type { Database } from '../db/database.ts';

/**
 * What a click acts on, from the card the server stored for the clicked message, not from what the client sent
 * back. A Feishu form submit carries only the button's `name` and `form_value` (no `value`), and an echoed value
 * is whatever the card said when it was rendered: the stored card (card_messages: subject by message id) is the
 * authority. The action comes from the actionId (the button's name); request, task, draft and document ids from
 * the card's subject; a task from the request and the card viewer's task on it.
 */
export interface StoredCard { id: string; subject: string }

export async function findStoredCard(db: Kysely<Database>, ev: InboundCardAction): Promise<StoredCard | undefined> {
  // Indexed by card_messages_message (migration 2026_11_23_0700): the click path is hot.
  return db.selectFrom('card_messages').select(['id', 'subject'])
    .where('bot_id', '=', ev.botId).where(sql<string>`ref->>'messageId'`, '=', ev.message.messageId)
    .where('platform', '=', ev.platform).where('tenant_id', '=', ev.tenantId)
    .executeTakeFirst();
}

/**
 * The click's value as the stored card defines it. Without a stored card (a message this server does not know),
 * the echoed value stands, with the op taken from the actionId when the echo lacks one.
 */
export async function clickValue(db: Kysely<Database>, ev: InboundCardAction, card: StoredCard | undefined): Promise<Record<string, string>> {
  const action = actionOf(ev.actionId);
  if (!card) return { ...ev.value, ...(action && !ev.value['op'] ? { op: action.op, ...(action.intent ? { intent: action.intent } : {}) } : {}) };
  if (!action) return {};
  const out: Record<string, string> = { op: action.op, ...(action.intent ? { intent: action.intent } : {}) };
  const s = cardSubject(card.subject);
  if (s.kind === 'request') {
    out['requestId'] = s.requestId;
    if (TASK_OPS.has(action.op)) {
      const taskId = await viewerTask(db, ev.tenantId, s.requestId, s.viewer);
      if (taskId) out['taskId'] = taskId;
    }
  }
  if (s.kind === 'dialog') out['dialogId'] = s.dialogId;
  if (s.kind === 'erpdoc') out['docId'] = s.docId;
  return out;
}

/**
 * The card viewer's task on the request: the pending one of the current revision, else their latest (so a late
 * click hears "already handled" from the engine, which also refuses anyone who is not that task's approver).
 */
async function viewerTask(db: Kysely<Database>, tenantId: string, requestId: string, viewer: string): Promise<string | undefined> {
  const row = await db.selectFrom('approval_tasks as t').innerJoin('requests as r', 'r.id', 't.request_id').select('t.id')
    .where('t.request_id', '=', requestId).where('t.tenant_id', '=', tenantId).where('t.approver_id', '=', viewer)
    .orderBy(sql`t.revision = r.revision`, 'desc').orderBy(sql`t.status = 'pending'`, 'desc').orderBy('t.created_at', 'desc')
    .limit(1).executeTakeFirst();
  return row?.id;
}
