import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { IntentCatalog } from '../config/intent-catalog.ts';
import type { IntentVersions } from '../config/intent-versions.ts';
import type { Clock } from '../core/clock.ts';
import { ValidationError } from '../core/errors.ts';
import type { IdGenerator } from '../core/ids.ts';
import type { ChatTarget } from '../core/inbound-event.ts';
import type { Database } from '../db/database.ts';
import type { DirectoryUser } from '../directory/directory-repo.ts';
import type { DirectoryViews } from '../directory/directory-view.ts';
import { enqueue, type NewJob } from '../outbox/outbox-repo.ts';
import type { ApprovalService } from '../workflow/approval-service.ts';
import type { Command } from './commands.ts';
import { DIALOG_TTL_MS, type DialogState } from './dialog-state.ts';
import { fillForm, type FillResult, type Reply } from './form-filler.ts';
import { cardPutJob, confirmCard, replyJobs, type ReplyContext } from './reply-jobs.ts';
import type { IntentResolver, Locale } from './resolver.ts';
import { loadSession, saveSession } from './session-repo.ts';
import { parseSlashCommand } from './slash-commands.ts';

export interface ConversationDeps {
  db: Kysely<Database>;
  catalog: IntentCatalog;
  intents: IntentVersions;
  resolver: IntentResolver;
  approvals: ApprovalService;
  directory: DirectoryViews;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  timeZone: string;
  maxAttempts: number;
  onCommitted?: () => void;
}

export interface Turn {
  tenantId: string;
  user: DirectoryUser;
  target: ChatTarget;
  locale: Locale;
  eventKey: string;
  /** Runs inside the turn's transaction (marks the inbox row done). */
  finish?: (trx: Transaction<Database>) => Promise<void>;
}

const MAX_TURN_RETRIES = 5;
const EXPIRED = { zh: '上次未提交的申请草稿已过期，我们重新开始吧。', en: 'Your unfinished draft expired; let us start again.' };

/** One chat turn: understand → fill the draft → reply, submitting the request when the user confirms. */
export class ConversationService {
  constructor(private readonly d: ConversationDeps) {}

  /** A chat message. The resolver (maybe an LLM call) runs outside the transaction. */
  async handleMessage(turn: Turn, text: string): Promise<void> {
    for (let attempt = 0; attempt < MAX_TURN_RETRIES; attempt++) {
      const now = this.d.clock.now();
      const session = await loadSession(this.d.db, turn.tenantId, turn.user.id, now);
      const commands = parseSlashCommand(text, this.d.catalog) ?? (await this.understand(text, session.state, turn.locale, now));
      const fill = fillForm(session.state, commands, this.fillContext(now));
      if (session.expired) fill.replies.unshift({ type: 'text', text: EXPIRED });
      if ((await this.commit(turn, session.version, fill)).committed) return;
    }
    throw new Error('dialog session kept changing underneath this turn');
  }

  /** Card actions on the dialog: submit the (edited) confirmation form, cancel, start from the menu. */
  async applyCommands(turn: Turn, commands: Command[], formValues?: Record<string, unknown>, dialogId?: string): Promise<{ ok: boolean; errors: string[]; number?: string }> {
    const now = this.d.clock.now();
    const session = await loadSession(this.d.db, turn.tenantId, turn.user.id, now);
    let state = session.state;
    if (dialogId && state?.id !== dialogId) {
      return { ok: false, errors: [turn.locale === 'zh' ? '这张表单已失效（已提交、已取消或已过期）' : 'This form is no longer active (submitted, cancelled or expired)'] };
    }
    const errors: string[] = [];
    if (state && formValues) {
      const edits: Command[] = Object.entries(formValues).filter(([, v]) => v !== undefined && v !== null && v !== '')
        .map(([field, value]) => ({ type: 'set_field', field, value: value as string }));
      const edited = fillForm(state, edits, this.fillContext(now));
      errors.push(...edited.replies.filter((r): r is Extract<Reply, { type: 'text' }> => r.type === 'text').map((r) => r.text[turn.locale]));
      if (edited.state) state = edited.state;
    }
    const fill = errors.length ? { state, replies: [{ type: 'confirm_card' as const }], submit: false } : fillForm(state, commands, this.fillContext(now));
    const res = await this.commit(turn, session.version, fill, errors);
    return { ok: res.committed && errors.length === 0, errors, ...(res.number ? { number: res.number } : {}) };
  }

  /** Opens a rejected or withdrawn request as an editable draft (edit-and-resubmit). */
  async editForResubmit(turn: Turn, req: { id: string; intentKey: string; intentVersion: number; fields: Record<string, unknown> }): Promise<void> {
    const now = this.d.clock.now();
    const session = await loadSession(this.d.db, turn.tenantId, turn.user.id, now);
    const state: DialogState = { id: this.d.ids.uuid(), intent: req.intentKey, intentVersion: this.d.intents.versionOf(req.intentKey),
      fields: req.fields as DialogState['fields'], awaiting: null, stage: 'confirming', resubmitOf: req.id, cardVersion: 1 };
    await this.commit(turn, session.version, { state, replies: [{ type: 'confirm_card' }], submit: false });
  }

  /** The current definition of an intent (cooldowns, names). */
  intentDefinition(key: string) {
    return this.d.catalog.get(key);
  }

  private async understand(text: string, state: DialogState | null, locale: Locale, now: Date): Promise<Command[]> {
    const dialog = state && { intent: state.intent, fields: state.fields, awaiting: state.awaiting };
    const res = await this.d.resolver.resolve(text, { now, timeZone: this.d.timeZone, locale, dialog, catalog: this.d.catalog });
    return res.commands;
  }

  private fillContext(now: Date) {
    return { catalog: this.d.catalog, versionOf: (k: string) => this.d.intents.versionOf(k), newId: () => this.d.ids.uuid(), now, timeZone: this.d.timeZone };
  }

  /** Saves the draft, submits when confirmed, enqueues replies; false when the session changed meanwhile. */
  private async commit(turn: Turn, version: number, fill: FillResult, errors: string[] = []): Promise<{ committed: boolean; number?: string }> {
    const now = this.d.clock.now();
    let number: string | undefined;
    const resubmitOf = fill.submit ? fill.state?.resubmitOf : undefined;
    if (resubmitOf && fill.state) {
      const intent = this.d.catalog.get(fill.state.intent);
      if (intent) {
        const out = await this.d.approvals.resubmit(turn.tenantId, resubmitOf, turn.user.id, intent, fill.state.fields, 'card');
        if (!out.ok) errors.push(out.error.message);
        else number = out.request.number;
      }
    }
    const committed = await this.d.db.transaction().execute(async (trx) => {
      const c: ReplyContext = { db: trx, catalog: this.d.catalog, directory: this.d.directory, tenantId: turn.tenantId, userId: turn.user.id, target: turn.target, locale: turn.locale, eventKey: turn.eventKey };
      const jobs: NewJob[] = [];
      let next = fill.state;
      if (fill.submit && next && !resubmitOf) {
        const intent = this.d.catalog.get(next.intent);
        if (intent) {
          try {
            const req = await this.d.approvals.submit(trx, { tenantId: turn.tenantId, intent, intentVersion: next.intentVersion, requesterId: turn.user.id, fields: next.fields, origin: turn.target, source: 'chat' });
            number = req.number;
          } catch (e: unknown) {
            // Route problems (no approver) are checked before anything is written; the draft stays.
            if (!(e instanceof ValidationError)) throw e;
            errors.push(e.message);
          }
        }
      }
      if (fill.submit && next && number) {
        const done = await confirmCard(c, next, { submittedAs: number });
        if (done) jobs.push(cardPutJob(c, `dialog:${next.id}`, done, next.cardVersion + 1));
        next = null;
      } else {
        if (errors.length && next) next = { ...next, cardVersion: next.cardVersion + 1 };
        jobs.push(...(await replyJobs(c, fill.replies.filter((r) => r.type !== 'confirm_card' || !errors.length), next)));
        if (errors.length && next) {
          const card = await confirmCard(c, next, { errors });
          if (card) jobs.push(cardPutJob(c, `dialog:${next.id}`, card, next.cardVersion));
        }
      }
      if (!(await saveSession(trx, turn.tenantId, turn.user.id, next, version, new Date(now.getTime() + DIALOG_TTL_MS)))) return false;
      await enqueue(trx, jobs, this.d.maxAttempts);
      await turn.finish?.(trx);
      return true;
    });
    if (committed) this.d.onCommitted?.();
    return { committed, ...(number ? { number } : {}) };
  }
}
