import type { CardOp } from '../cards/card-actions.ts';
import type { AckReply } from '../core/inbound-event.ts';
import type { ApprovalService } from '../workflow/approval-service.ts';
import * as requestRepo from '../workflow/request-repo.ts';
import { M, type CardActionHandlers, type CardActionDeps, type Click, type Msg } from './card-click.ts';

/** Actions on a request: their commit (commit_request_change) records the event and finds a redelivery. */
export const REQUEST_OPS: ReadonlySet<CardOp> = new Set(['approve', 'reject', 'transfer', 'comment', 'remind', 'withdraw']);

const STATUS_OF_ERROR: Record<string, number> = {
  'workflow.not_approver': 403, 'workflow.not_requester': 403, 'workflow.not_participant': 403, 'workflow.already_handled': 409,
  'workflow.reason_required': 400, 'workflow.invalid_transfer': 400, 'workflow.remind_cooldown': 429, 'workflow.illegal_transition': 409,
  // Separation of duties: a transfer that would put someone on two steps (or on their own request) is a bad choice of
  // person (400); approving one's own request or a second step is not allowed (403).
  'workflow.sod_transfer': 400, 'workflow.sod_self': 403, 'workflow.sod_two_steps': 403,
};

/** Runs an approval event on the request; the engine decides whether the clicker may. */
async function act(c: Click, requestId: string, e: Parameters<ApprovalService['act']>[2], ok: Msg): Promise<AckReply> {
  const out = await c.d.approvals.act(c.user.tenantId, requestId, e, 'card', c.ev);
  if (out.ok) return c.say(ok);
  const status = STATUS_OF_ERROR[out.error.code] ?? 400;
  return { toast: { type: status === 409 ? 'info' : 'error', text: out.error.localized[c.turn.locale] }, status, error: { code: out.error.code, message: out.error.message } };
}

/** The optional comment of an approval or transfer. */
const comment = (c: Click): { comment?: string } => (c.text('comment') ? { comment: c.text('comment') } : {});

/** The buttons of a request card (cards/request-card.ts). */
export const REQUEST_CARD_ACTIONS: Pick<CardActionHandlers, 'approve' | 'reject' | 'transfer' | 'comment' | 'remind' | 'withdraw' | 'resubmit'> = {
  approve: (c, a) => act(c, a.requestId, { type: 'approve', actor: c.user.id, taskId: a.taskId, ...comment(c) }, M.approved),
  reject: (c, a) => act(c, a.requestId, { type: 'reject', actor: c.user.id, taskId: a.taskId, reason: c.text('comment') || c.text('reason') }, M.rejected),
  transfer: async (c, a) => {
    const picked = c.text('transfer_to');
    if (!picked) return { ...c.say(M.transferTo, 'warning', 400), error: { code: 'workflow.invalid_transfer', message: 'transfer_to is required' } };
    const to = await transferTarget(c, picked);
    if (!to) return { ...c.say(M.noSuchPerson, 'error', 400), error: { code: 'workflow.invalid_transfer', message: `"${picked}" is not an active person in the directory` } };
    return act(c, a.requestId, { type: 'transfer', actor: c.user.id, taskId: a.taskId, to, ...comment(c) }, M.transferred);
  },
  comment: async (c, a) => {
    const body = c.text('comment');
    if (!body) return { ...c.say(M.commentText, 'warning', 400), error: { code: 'workflow.reason_required', message: 'a comment needs text' } };
    return act(c, a.requestId, { type: 'comment', actor: c.user.id, text: body }, M.commented);
  },
  remind: async (c, a) => act(c, a.requestId, { type: 'remind', actor: c.user.id, cooldownMs: await cooldownMs(c.d, c.user.tenantId, a.requestId) }, M.reminded),
  withdraw: (c, a) => act(c, a.requestId, { type: 'withdraw', actor: c.user.id }, M.withdrawn),
  resubmit: async (c, a) => {
    const req = await requestRepo.findRequest(c.d.db, c.user.tenantId, a.requestId);
    if (!req) return { ...c.say(M.noRequest, 'error', 404), error: { code: 'request.not_found', message: 'no such request' } };
    if (req.requesterId !== c.user.id) return { ...c.say(M.notRequester, 'error', 403), error: { code: 'workflow.not_requester', message: 'only the requester can resubmit' } };
    await c.d.conversation.editForResubmit(c.turn, req);
    return c.say(M.editing, 'info');
  },
};

/**
 * Who a transfer goes to: a directory id (console picker, DingTalk), or the picked person's identity on
 * the platform (Feishu's person picker answers with an open_id). Only active people of the tenant.
 */
async function transferTarget(c: Click, picked: string): Promise<string | undefined> {
  const tenantId = c.user.tenantId;
  if ((await c.d.directory.get(tenantId)).user(picked)) return picked;
  const byIdentity = await c.d.directory.userByIdentity(c.ev.platform, c.ev.botId, [picked]);
  return byIdentity?.tenantId === tenantId ? byIdentity.id : undefined;
}

async function cooldownMs(d: CardActionDeps, tenantId: string, requestId: string): Promise<number> {
  const req = await requestRepo.findRequest(d.db, tenantId, requestId);
  const minutes = req ? (d.conversation.intentDefinition(req.intentKey)?.remind_cooldown_minutes ?? 30) : 30;
  return minutes * 60_000;
}
