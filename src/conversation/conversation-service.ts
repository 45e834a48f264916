import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { IntentCatalog } from '../config/intent-catalog.ts';
import type { IntentDefinition } from '../config/intent-schema.ts';
import type { IntentVersions } from '../workflow/intent-versions.ts';
import type { Clock } from '../core/clock.ts';
import { ValidationError } from '../core/errors.ts';
import type { IdGenerator } from '../core/ids.ts';
import type { ChatTarget } from '../core/inbound-event.ts';
import type { Database } from '../db/database.ts';
import type { DirectoryUser } from '../directory/directory-repo.ts';
import type { DirectoryViews } from '../directory/directory-view.ts';
import { enqueue, type NewJob } from '../jobs/enqueue.ts';
import type { ApprovalService } from '../workflow/approval-service.ts';
import type { Command } from './commands.ts';
import { fillChatTurn } from './confirm-gate.ts';
import { DIALOG_TTL_MS, type DialogState } from './dialog-state.ts';
import { fillForm, type FillResult, type Reply } from './form-filler.ts';
import { withStatusAbout } from './status-about.ts';
import { closedCardJobs, errorJobs, replyJobs, submittedJobs, type ReplyContext } from './reply-jobs.ts';
import type { IntentResolver, Resolution } from './resolver.ts';
import type { Locale } from '../core/locale.ts';
import { localized, type Localized } from '../i18n/catalog.ts';
import { loadMasterChoices, type MasterChoices, type MasterLookup } from './master-fields.ts';
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
  /** The ERP records behind master-sourced fields (`source: { master }`); absent: those fields take any text. */
  master?: MasterLookup;
  /**
   * Why the requester cannot submit this intent yet (an ERP that pays them has no person linked to them), or null.
   * Checked before every submit and resubmit.
   */
  erpPersonCheck?: (db: Transaction<Database>, tenantId: string, botId: string, intent: IntentDefinition, requesterId: string) => Promise<Localized | null>;
}

export interface Turn {
  tenantId: string;
  user: DirectoryUser;
  target: ChatTarget;
  locale: Locale;
  eventKey: string;
  /** False when the message carried no language of its own ("3000", "ok"): the draft's language wins. */
  localeFromText?: boolean;
  /** Runs inside the turn's transaction (marks the inbox row done). */
  finish?: (trx: Transaction<Database>) => Promise<void>;
}

const MAX_TURN_RETRIES = 5;

/** Rolls a turn's transaction back when the dialog session changed since the turn read it. */
class SessionMoved extends Error {
  constructor() {
    super('the dialog session changed meanwhile');
  }
}
const EXPIRED = localized('chat.draftExpired');
const INACTIVE = localized('form.inactive');

/** What a commit's submit came to: the request's number, or why it was refused. */
interface Outcome { errors: string[]; number?: string }

interface CommitOptions {
  errors?: string[];
  /** A chat turn: say the request number (and any submit error) as a message, not only on the card. */
  announce?: boolean;
  /** The draft that expired before this turn: its confirmation card is closed. */
  stale?: DialogState | null;
}

/** One chat turn: understand → fill the draft → reply, submitting the request when the user confirms. */
export class ConversationService {
  constructor(private readonly d: ConversationDeps) {}

  /** A chat message. The resolver (maybe an LLM call) runs outside the transaction. */
  async handleMessage(turn: Turn, text: string): Promise<void> {
    for (let attempt = 0; attempt < MAX_TURN_RETRIES; attempt++) {
      const now = this.d.clock.now();
      const session = await loadSession(this.d.db, turn.tenantId, turn.user.id, now);
      const prior = session.state ?? session.stale;
      const locale = turn.localeFromText === false && prior?.locale ? prior.locale : turn.locale;
      const slash = parseSlashCommand(text, this.d.catalog);
      const resolved = slash ? null : await this.understand(text, session.state, locale, now);
      // A status question also says which request it means (number, amount, day, a name): status-about.ts.
      const commands = slash ?? withStatusAbout(resolved?.commands ?? [], text, now, this.d.timeZone);
      const master = await loadMasterChoices(this.d.master, this.d.db, turn.tenantId, turn.target.botId, this.d.catalog, session.state, commands);
      const ctx = this.fillContext(now, master);
      // A slash command is the person's own act; a resolver's confirm counts only as confirm-gate.ts says.
      const chat = slash ? { fill: fillForm(session.state, commands, ctx) } : fillChatTurn(text, session.state, commands, ctx);
      if (chat.held) this.d.logger.info({ reason: chat.held.reason, changed: chat.held.changed, source: resolved?.source, intent: session.state?.intent, tenantId: turn.tenantId, userId: turn.user.id }, 'conversation: a confirm the person did not give was not acted on');
      const fill = withLocale(chat.fill, locale);
      if (session.expired) fill.replies.unshift({ type: 'text', text: EXPIRED });
      if ((await this.commit({ ...turn, locale }, session.version, fill, { announce: true, stale: session.stale })).committed) return;
    }
    throw new Error('dialog session kept changing underneath this turn');
  }

  /** Card actions on the dialog: submit the (edited) confirmation form, cancel, start from the menu. */
  async applyCommands(turn: Turn, commands: Command[], formValues?: Record<string, unknown>, dialogId?: string): Promise<{ ok: boolean; errors: string[]; number?: string; locale: Locale }> {
    // The session moved underneath (a second click on Submit, a chat message at the same moment): look
    // again; a form that was submitted meanwhile then answers "no longer active".
    for (let attempt = 0; attempt < MAX_TURN_RETRIES; attempt++) {
      const out = await this.applyOnce(turn, commands, formValues, dialogId);
      if (out) return out;
    }
    throw new Error('dialog session kept changing underneath this action');
  }

  private async applyOnce(turn: Turn, commands: Command[], formValues: Record<string, unknown> | undefined, dialogId: string | undefined): Promise<{ ok: boolean; errors: string[]; number?: string; locale: Locale } | null> {
    const now = this.d.clock.now();
    const session = await loadSession(this.d.db, turn.tenantId, turn.user.id, now);
    let state = session.state;
    // A click answers in the language of the draft it belongs to, not the bot's default.
    const t: Turn = { ...turn, locale: state?.locale ?? session.stale?.locale ?? turn.locale };
    if (dialogId && state?.id !== dialogId) return { ok: false, errors: [INACTIVE[t.locale]], locale: t.locale };
    const errors: string[] = [];
    if (state && formValues) {
      // A field emptied on the card: a required one is refused with its name, an optional one is removed.
      const intent = this.d.catalog.get(state.intent);
      for (const [name, v] of Object.entries(formValues)) {
        const field = intent?.fields.find((f) => f.name === name);
        if (!field || (v !== null && String(v).trim() !== '') || state.fields[name] === undefined) continue;
        if (field.required) errors.push(localized('form.required', { field: field.label })[t.locale]);
        else state = { ...state, fields: Object.fromEntries(Object.entries(state.fields).filter(([k]) => k !== name)) };
      }
      const edits: Command[] = Object.entries(formValues).filter(([, v]) => v !== undefined && v !== null && String(v).trim() !== '')
        .map(([field, value]) => ({ type: 'set_field', field, value: value as string }));
      const master = await loadMasterChoices(this.d.master, this.d.db, t.tenantId, t.target.botId, this.d.catalog, state, edits);
      const edited = fillForm(state, edits, this.fillContext(now, master));
      errors.push(...edited.replies.filter((r): r is Extract<Reply, { type: 'text' }> => r.type === 'text').map((r) => r.text[t.locale]));
      if (edited.state) state = { ...edited.state, awaiting: null };
    }
    let fill: FillResult = errors.length ? { state, replies: [{ type: 'confirm_card' as const }], submit: false } : withLocale(fillForm(state, commands, this.fillContext(now)), t.locale);
    // A submit the draft's values refused (draft-checks.ts): said once, as the click's errors, not also as chat texts.
    const refused = fill.refused ?? [];
    if (refused.length) {
      errors.push(...refused.map((m) => m[t.locale]));
      fill = { ...fill, replies: fill.replies.filter((r) => r.type !== 'text' || !refused.includes(r.text)) };
    }
    const res = await this.commit(t, session.version, fill, { errors, stale: session.stale });
    if (!res.committed) return null;
    return { ok: res.errors.length === 0, errors: res.errors, locale: t.locale, ...(res.number ? { number: res.number } : {}) };
  }

  /** Opens a rejected or withdrawn request as an editable draft (edit-and-resubmit). */
  async editForResubmit(turn: Turn, req: { id: string; intentKey: string; intentVersion: number; fields: Record<string, unknown> }): Promise<void> {
    const now = this.d.clock.now();
    const session = await loadSession(this.d.db, turn.tenantId, turn.user.id, now);
    const state: DialogState = { id: this.d.ids.uuid(), intent: req.intentKey, intentVersion: this.d.intents.versionOf(req.intentKey),
      fields: req.fields as DialogState['fields'], awaiting: null, stage: 'confirming', resubmitOf: req.id, cardVersion: 1, locale: turn.locale };
    const dropped = session.state ? { dropped: session.state } : {};
    await this.commit(turn, session.version, { state, replies: [{ type: 'confirm_card' }], submit: false, ...dropped }, { stale: session.stale });
  }

  /** The current definition of an intent (cooldowns, names). */
  intentDefinition(key: string) {
    return this.d.catalog.get(key);
  }

  private understand(text: string, state: DialogState | null, locale: Locale, now: Date): Promise<Resolution> {
    const dialog = state && { intent: state.intent, fields: state.fields, awaiting: state.awaiting };
    return this.d.resolver.resolve(text, { now, timeZone: this.d.timeZone, locale, dialog, catalog: this.d.catalog });
  }

  private fillContext(now: Date, master?: MasterChoices) {
    return { catalog: this.d.catalog, versionOf: (k: string) => this.d.intents.versionOf(k), newId: () => this.d.ids.uuid(), now, timeZone: this.d.timeZone, ...(master ? { master } : {}) };
  }

  /** Saves the draft, submits when confirmed, enqueues replies; false when the session changed meanwhile. */
  private async commit(turn: Turn, version: number, fill: FillResult, o: CommitOptions = {}): Promise<{ committed: boolean; errors: string[]; number?: string }> {
    const now = this.d.clock.now();
    const out: Outcome = { errors: [...(o.errors ?? [])] };
    const source = o.announce ? 'chat' : 'card';
    const resubmitOf = fill.submit ? fill.state?.resubmitOf : undefined;
    const committed = await this.d.db.transaction().execute(async (trx) => {
      // A resubmit runs in this transaction too, so a second click (or a session that moved) undoes it.
      if (resubmitOf) await this.resubmitDraft(trx, turn, fill, resubmitOf, source, out);
      const lookup = this.d.master;
      const c: ReplyContext = {
        db: trx, catalog: this.d.catalog, directory: this.d.directory, tenantId: turn.tenantId, userId: turn.user.id, target: turn.target, locale: turn.locale, eventKey: turn.eventKey, timeZone: this.d.timeZone,
        ...(lookup ? { master: (intent: IntentDefinition, field: Parameters<MasterLookup>[4], opts?: { limit?: number }) => lookup(trx, turn.tenantId, turn.target.botId, intent, field, opts) } : {}),
      };
      const jobs: NewJob[] = [...(await closedCardJobs(c, fill.dropped, 'cancelled')), ...(await closedCardJobs(c, o.stale, 'expired'))];
      if (!resubmitOf) await this.submitDraft(trx, turn, fill, source, out);
      const next = await this.answer(c, fill, out, o.announce === true, jobs);
      // The session moved since it was read: roll back everything, the submit included (a second click
      // on Submit must not create a second request), and let the caller look again.
      if (!(await saveSession(trx, turn.tenantId, turn.user.id, next, version, new Date(now.getTime() + DIALOG_TTL_MS)))) throw new SessionMoved();
      await enqueue(trx, jobs, this.d.maxAttempts);
      await turn.finish?.(trx);
      return true;
    }).catch((e: unknown) => {
      if (e instanceof SessionMoved) return false;
      throw e;
    });
    if (!committed) return { committed, errors: [] };
    this.d.onCommitted?.();
    return { committed, errors: out.errors, ...(out.number ? { number: out.number } : {}) };
  }

  /** Resubmits the returned request the confirmed draft edits; a refusal or a route problem keeps the draft and says why. */
  private async resubmitDraft(trx: Transaction<Database>, turn: Turn, fill: FillResult, requestId: string, source: 'chat' | 'card', out: Outcome): Promise<void> {
    const intent = fill.state && this.d.catalog.get(fill.state.intent);
    if (!fill.state || !intent) return;
    try {
      await this.checkRequester(trx, turn, intent);
      const res = await this.d.approvals.resubmit(turn.tenantId, requestId, turn.user.id, intent, fill.state.fields, source, trx);
      if (!res.ok) out.errors.push(res.error.localized[turn.locale]);
      else out.number = res.request.number;
    } catch (e: unknown) {
      // The route no longer resolves (the approver left, say): the draft stays and says why.
      if (!(e instanceof ValidationError)) throw e;
      out.errors.push(inLocale(e, turn.locale));
    }
  }

  /** Submits the confirmed draft as a new request. */
  private async submitDraft(trx: Transaction<Database>, turn: Turn, fill: FillResult, source: 'chat' | 'card', out: Outcome): Promise<void> {
    const draft = fill.submit ? fill.state : null;
    const intent = draft && this.d.catalog.get(draft.intent);
    if (!draft || !intent) return;
    try {
      await this.checkRequester(trx, turn, intent);
      const req = await this.d.approvals.submit(trx, { tenantId: turn.tenantId, intent, intentVersion: draft.intentVersion, requesterId: turn.user.id, fields: draft.fields, origin: turn.target, source });
      out.number = req.number;
    } catch (e: unknown) {
      // Route problems (no approver) are checked before anything is written; the draft stays.
      if (!(e instanceof ValidationError)) throw e;
      out.errors.push(inLocale(e, turn.locale));
    }
  }

  /** Refuses (as a route problem is refused: the draft stays) when the ERP the request goes to does not know the requester. */
  private async checkRequester(trx: Transaction<Database>, turn: Turn, intent: IntentDefinition): Promise<void> {
    const refusal = await this.d.erpPersonCheck?.(trx, turn.tenantId, turn.target.botId, intent, turn.user.id);
    if (refusal) throw new ValidationError('erp.person_not_linked', refusal.en, { details: { localized: refusal } });
  }

  /**
   * The turn's replies, added to `jobs`: the request's number once it is submitted (the draft then ends), else
   * the fill's replies, with the card shown again and the errors said when the submit was refused. Returns the
   * draft to save.
   */
  private async answer(c: ReplyContext, fill: FillResult, out: Outcome, announce: boolean, jobs: NewJob[]): Promise<DialogState | null> {
    const draft = fill.state;
    if (fill.submit && draft && out.number) {
      jobs.push(...(await submittedJobs(c, draft, out.number, announce)));
      return null;
    }
    const { errors } = out;
    const next = errors.length && draft ? { ...draft, cardVersion: draft.cardVersion + 1, stage: 'confirming' as const } : draft;
    jobs.push(...(await replyJobs(c, fill.replies.filter((r) => r.type !== 'confirm_card' || !errors.length), next)));
    if (errors.length && next) jobs.push(...(await errorJobs(c, next, errors, announce)));
    return next;
  }
}

function withLocale(fill: FillResult, locale: Locale): FillResult {
  return fill.state ? { ...fill, state: { ...fill.state, locale } } : fill;
}

/** A refusal in the language of the chat when the error carries one (route problems do). */
function inLocale(e: ValidationError, locale: Locale): string {
  const l = e.details?.['localized'] as Partial<Record<Locale, string>> | undefined;
  return l?.[locale] ?? e.message;
}
