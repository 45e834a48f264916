import { Hono, type Context } from 'hono';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { ButtonView, CardView } from '../../core/card-view.ts';
import type { ConsoleBotConfig } from '../../config/bot-schema.ts';
import type { Clock } from '../../core/clock.ts';
import { AppError, NotFoundError } from '../../core/errors.ts';
import type { IdGenerator } from '../../core/ids.ts';
import type { Database } from '../../db/database.ts';
import { chatLocale, findUserByIdentity, getUsers, listActiveUsers } from '../../directory/directory-repo.ts';
import { readBodyText } from '../../http/body.ts';
import { cspNonce } from '../../http/security-headers.ts';
import { parseJsonBody, refineSafeText, zodFailure } from '../../http/text-guard.ts';
import { actingUser, mayPickAnyUser, sessionInfo } from '../../identity/console-guard.ts';
import { t, type PlainKey } from '../../i18n/catalog.ts';
import type { Receiver } from '../platform.ts';
import type { AcceptEvent } from '../../core/inbound-event.ts';
import type { ConsoleFeed } from './feed.ts';
import { actionBodySchema, messageBodySchema, normalizeAction, normalizeMessage } from './normalize.ts';
import { consolePage } from './page.ts';
import { renderCardHtml } from './render-card.ts';

export interface ConsoleReceiverDeps { db: Kysely<Database>; feed: ConsoleFeed; clock: Clock; ids: IdGenerator }

const inboxQuery = z.object({
  user: z.string().min(1).max(64).optional(),
  after: z.coerce.number().int().min(0).default(0),
  /** Long-poll wait, capped below common proxy idle timeouts. */
  waitMs: z.coerce.number().int().min(0).max(30_000).default(0),
  html: z.enum(['0', '1']).optional(),
}).superRefine(refineSafeText);

const OUTDATED = 'toast.cardOutdated';
const NOT_YOURS = 'toast.cardNotYours';

/** The console as a platform: HTTP API + page. Same ports as Feishu and DingTalk (Receiver + Messenger). */
export class ConsoleReceiver implements Receiver {
  readonly id: string;
  readonly routes = new Hono();
  private accept: AcceptEvent | null = null;

  constructor(private readonly cfg: ConsoleBotConfig, private readonly d: ConsoleReceiverDeps) {
    this.id = `${cfg.id}:console`;
    this.mount();
  }

  async start(accept: AcceptEvent): Promise<void> { this.accept = accept; }
  async stop(): Promise<void> {
    this.accept = null;
    this.d.feed.close();
  }

  private mount(): void {
    const r = this.routes;
    const page = consolePage(this.cfg.locale);
    r.get('/', (c) => c.html(page(cspNonce(c))));
    // Everyone for the demo's user picker; a signed-in person sees only themselves (the page needs no list then).
    r.get('/api/users', async (c) => {
      const users = mayPickAnyUser(c)
        ? await listActiveUsers(this.d.db, this.cfg.tenant)
        : [...(await getUsers(this.d.db, this.cfg.tenant, [await actingUser(c, undefined, this.cfg.tenant)])).values()];
      return c.json({ users: users.map((u) => ({ id: u.id, name: u.name, roles: u.roles })) });
    });
    r.get('/api/session', async (c) => {
      const s = sessionInfo(c);
      const me = s.userId && s.tenantId === this.cfg.tenant ? (await getUsers(this.d.db, this.cfg.tenant, [s.userId])).get(s.userId) : undefined;
      return c.json({ user: me ? { id: me.id, name: me.name } : null, demo: s.demo, csrf: me ? s.csrf : null, signIn: s.signIn });
    });
    r.post('/api/messages', async (c) => {
      const parsed = parse(messageBodySchema, await readJson(c));
      const body = { ...parsed, user: await this.actor(c, parsed.user) };
      const eventId = body.eventId ?? this.d.ids.uuid();
      const ack = await this.acceptor()(normalizeMessage(body, { botId: this.cfg.id, tenantId: this.cfg.tenant, eventId, now: this.d.clock.now() }));
      return c.json({ eventId, duplicate: ack.status === 200 }, 202);
    });
    r.get('/api/inbox', async (c) => {
      const parsed = parse(inboxQuery, Object.fromEntries(new URL(c.req.url).searchParams));
      const q = { ...parsed, user: await this.actor(c, parsed.user) };
      const res = await this.d.feed.read(q.user, q.after, q.waitMs);
      const messages = res.messages.map(({ seq: _seq, ...m }) => (q.html === '1' && m.card ? { ...m, html: renderCardHtml(m.card) } : m));
      return c.json({ messages, cursor: res.cursor });
    });
    r.post('/api/actions', async (c) => {
      const parsed = parse(actionBodySchema, await readJson(c));
      const body = { ...parsed, user: await this.actor(c, parsed.user) };
      // Who the clicker is gets checked by the card-action handler; here: only cards delivered to them.
      const stored = await this.d.feed.cardOf(body.user, body.messageId);
      // Refusals answer with a toast in the chat's language (the page shows it), the English stays in `error`.
      const refuse = async (status: 404 | 409, code: string, message: string, text: PlainKey) => {
        const locale = (await chatLocale(this.d.db, 'console', this.cfg.id, [body.user])) ?? this.cfg.locale;
        return c.json({ toast: { type: 'info', text: t(locale, text) }, error: { code, message } }, status);
      };
      if (!stored) return refuse(404, 'console.unknown_message', `no card ${body.messageId} was delivered to ${body.user}`, NOT_YOURS);
      if (body.revision !== undefined && body.revision !== stored.revision) {
        return refuse(409, 'card.outdated', `the card changed since revision ${body.revision} (now ${stored.revision}); look at it again before acting`, OUTDATED);
      }
      const button = findButton(stored.card, body.actionId);
      // The stored card is the latest revision; a button that is gone means the user acted on an old view.
      if (!button) return refuse(409, 'card.outdated', `the card changed and no longer offers "${body.actionId}"; it shows the current state`, OUTDATED);
      const eventId = body.eventId ?? this.d.ids.uuid();
      const ack = await this.acceptor()(normalizeAction(body, button.value, { botId: this.cfg.id, tenantId: this.cfg.tenant, eventId, now: this.d.clock.now() }));
      const status = (ack.status ?? 200) as 200;
      return c.json({ ...(ack.toast ? { toast: ack.toast } : {}), ...(ack.card ? { card: ack.card } : {}), ...(ack.error ? { error: ack.error } : {}) }, status);
    });
  }

  private acceptor(): AcceptEvent {
    if (!this.accept) throw new AppError('console.stopped', 'the console is not accepting events', { httpStatus: 503 });
    return this.accept;
  }

  /** Who acts: the signed-in person (or, in demo mode and for act-as tokens, the named one), known to the directory. */
  private async actor(c: Context, claimed: string | undefined): Promise<string> {
    const user = await actingUser(c, claimed, this.cfg.tenant);
    await this.requireUser(user);
    return user;
  }

  /** Unknown users get a 404 (audited by the HTTP layer, like every refused request); nothing else happens. */
  private async requireUser(user: string): Promise<void> {
    if (await findUserByIdentity(this.d.db, 'console', this.cfg.id, [user])) return;
    throw new NotFoundError('directory.unknown_user', `no user "${user}" in the directory`);
  }
}

function findButton(card: CardView, actionId: string): ButtonView | undefined {
  for (const b of card.blocks) {
    if (b.type === 'actions' || b.type === 'form') {
      const hit = b.buttons.find((x) => x.actionId === actionId);
      if (hit) return hit;
    }
  }
  return undefined;
}

async function readJson(c: Context): Promise<unknown> {
  return parseJsonBody(await readBodyText(c));
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw zodFailure(r.error);
  return r.data;
}
