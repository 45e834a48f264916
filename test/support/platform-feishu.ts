import { randomBytes } from 'node:crypto';
import type { Hono } from 'hono';
import { actionIdOfName } from '../../src/platforms/feishu/component-names.ts';
import { buildSignedWebhook, clickedMessage, type FakeFeishuServer, type StoredMessage } from '../fakes/feishu-server.ts';
import { FEISHU_BOT, FEISHU_SECRETS, feishuOpenId, waitUntil } from './platform-env.ts';

/** A card as the fake Feishu server holds it: the latest content (sent or PATCHed), parsed. */
export interface FeishuCard {
  messageId: string;
  to: string;
  title: string;
  subtitle: string;
  text: string;
  /** Buttons by their Feishu `name` and the actionId it encodes (render-card / component-names). */
  buttons: { name: string; actionId: string; value: Record<string, string> }[];
  updates: number;
}

export const chatIdOf = (user: string): string => `oc_p2p_${user}`;

function collectButtons(node: unknown, out: FeishuCard['buttons']): void {
  if (Array.isArray(node)) { for (const n of node) collectButtons(n, out); return; }
  if (typeof node !== 'object' || node === null) return;
  const rec = node as Record<string, unknown>;
  if (rec['tag'] === 'button') {
    const behaviors = rec['behaviors'] as { value?: Record<string, string> }[] | undefined;
    const name = String(rec['name']);
    out.push({ name, actionId: actionIdOfName(name) ?? name, value: behaviors?.[0]?.value ?? {} });
  }
  for (const v of Object.values(rec)) collectButtons(v, out);
}

export function parseFeishuCard(m: StoredMessage): FeishuCard {
  const text = m.updates.at(-1) ?? m.content;
  const card = JSON.parse(text) as { header?: { title?: { content?: string }; subtitle?: { content?: string } }; body?: unknown };
  const buttons: FeishuCard['buttons'] = [];
  collectButtons(card.body, buttons);
  return { messageId: m.message_id, to: m.receive_id, title: card.header?.title?.content ?? '', subtitle: card.header?.subtitle?.content ?? '', text, buttons, updates: m.updates.length };
}

/**
 * Plays Feishu against the app: builds encrypted, signed `im.message.receive_v1` / `card.action.trigger` webhooks
 * for a directory user (open_id `ou_<user>`, p2p chat `oc_p2p_<user>`), and reads what the fake server received.
 */
export class FeishuDriver {
  /** Simulated time for a callback answer to travel back to Feishu. */
  answerTransitMs = 0;

  constructor(private readonly http: Hono, readonly fake: FakeFeishuServer, private readonly botId = FEISHU_BOT) {}

  messageEnvelope(user: string, text: string, eventId = `ev_${randomBytes(8).toString('hex')}`): Record<string, unknown> {
    const openId = feishuOpenId(user);
    return {
      schema: '2.0',
      header: { event_id: eventId, event_type: 'im.message.receive_v1', create_time: String(Date.now()), token: FEISHU_SECRETS.verificationToken, app_id: FEISHU_SECRETS.appId, tenant_key: 't1' },
      event: {
        sender: { sender_id: { open_id: openId, union_id: `on_${user}` }, sender_type: 'user', tenant_key: 't1' },
        message: { message_id: `om_in_${randomBytes(6).toString('hex')}`, create_time: String(Date.now()), chat_id: chatIdOf(user), chat_type: 'p2p', message_type: 'text', content: JSON.stringify({ text }) },
      },
    };
  }

  /**
   * The callback a real client sends for a click on `card`'s button `actionId` (by its Feishu name), with `form` typed
   * into the form: the fake plays the client on the card as it is now (required fields, offered people); a click the
   * client would not send throws.
   */
  clickEnvelope(user: string, card: FeishuCard, actionId: string, form: Record<string, unknown> = {}, eventId?: string): Record<string, unknown> {
    const b = this.button(card, actionId);
    const click = this.fake.clientClick(card.messageId, b.name, form);
    if (!click.sent) throw new Error(`the client sends nothing for ${actionId}: ${click.reason} (${click.detail})`);
    return this.callback(user, card, click.action, eventId);
  }

  /** A signed callback with any `action`: what Feishu would deliver for a card state the fake no longer shows (stale options). */
  callback(user: string, card: FeishuCard, action: Record<string, unknown>, eventId = `cb_${randomBytes(8).toString('hex')}`): Record<string, unknown> {
    return {
      schema: '2.0',
      header: { event_id: eventId, event_type: 'card.action.trigger', create_time: String(Date.now()), token: FEISHU_SECRETS.verificationToken, app_id: FEISHU_SECRETS.appId, tenant_key: 't1' },
      event: {
        operator: { open_id: feishuOpenId(user), union_id: `on_${user}`, tenant_key: 't1' },
        token: `c-${randomBytes(8).toString('hex')}`,
        host: 'im_message',
        context: { open_message_id: card.messageId, open_chat_id: chatIdOf(user) },
        action,
      },
    };
  }

  button(card: FeishuCard, actionId: string): FeishuCard['buttons'][number] {
    const b = card.buttons.find((x) => x.actionId === actionId);
    if (!b) throw new Error(`card ${card.title} has no button ${actionId}: ${card.buttons.map((x) => x.actionId).join(', ')}`);
    return b;
  }

  /** A click as the client makes it: nothing sent (and why), or the app's answer. */
  async tryClick(user: string, card: FeishuCard, actionId: string, form: Record<string, unknown> = {}): Promise<{ sent: false; reason: string } | ({ sent: true } & Awaited<ReturnType<FeishuDriver['post']>>)> {
    const click = this.fake.clientClick(card.messageId, this.button(card, actionId).name, form);
    if (!click.sent) return { sent: false, reason: click.reason };
    return { sent: true, ...(await this.post(this.callback(user, card, click.action))) };
  }

  /** POSTs one webhook exactly as Feishu would (encrypted + signed); `timestampSec` and `tamper` forge it. */
  async post(envelope: unknown, o: { timestampSec?: number; tamper?: (h: Record<string, string>) => Record<string, string>; http?: Hono } = {}): Promise<{ status: number; body: { toast?: { type: string; content: string }; error?: { code: string } } }> {
    const req = buildSignedWebhook(envelope, { encryptKey: FEISHU_SECRETS.encryptKey, timestampSec: o.timestampSec ?? Math.floor(Date.now() / 1000) });
    const headers = o.tamper ? o.tamper(req.headers) : req.headers;
    const clicked = clickedMessage(envelope);
    if (clicked) this.fake.clickSent(clicked);
    const res = await (o.http ?? this.http).request(`/webhooks/feishu/${this.botId}`, { method: 'POST', body: req.body, headers });
    const body = (await res.json()) as { toast?: { type: string; content: string }; error?: { code: string } };
    // The client reads the answer: checked by the fake, its card shown in place of the clicked one. The answer
    // reaches Feishu `answerTransitMs` after the app wrote it (network), which is when Feishu counts it as answered.
    if (clicked) {
      if (this.answerTransitMs > 0) await new Promise((r) => setTimeout(r, this.answerTransitMs));
      this.fake.clickAnswered(clicked, res.status, body);
    }
    return { status: res.status, body };
  }

  say(user: string, text: string, eventId?: string): ReturnType<FeishuDriver['post']> {
    return this.post(this.messageEnvelope(user, text, eventId));
  }

  click(user: string, card: FeishuCard, button: string, form: Record<string, unknown> = {}, eventId?: string): ReturnType<FeishuDriver['post']> {
    return this.post(this.clickEnvelope(user, card, button, form, eventId));
  }

  /** Messages the bot sent to a user (by open_id or to their p2p chat), oldest first. */
  messagesTo(user: string, type?: 'text' | 'interactive'): StoredMessage[] {
    const to = new Set([feishuOpenId(user), chatIdOf(user)]);
    return [...this.fake.messages.values()].filter((m) => to.has(m.receive_id) && (!type || m.msg_type === type));
  }

  cardsTo(user: string): FeishuCard[] {
    return this.messagesTo(user, 'interactive').map(parseFeishuCard);
  }

  textsTo(user: string): string[] {
    return this.messagesTo(user, 'text').map((m) => (JSON.parse(m.content) as { text: string }).text);
  }

  waitForCard(user: string, pred: (c: FeishuCard) => boolean, what = 'a card'): Promise<FeishuCard> {
    return waitUntil(() => [...this.cardsTo(user)].reverse().find(pred), `${what} to ${user}; has ${JSON.stringify(this.cardsTo(user).map((c) => `${c.title}/${c.subtitle}`))}`);
  }

  waitForText(user: string, re: RegExp): Promise<string> {
    return waitUntil(() => this.textsTo(user).find((t) => re.test(t)), `text ${re} to ${user}; has ${JSON.stringify(this.textsTo(user))}`);
  }
}

export const hasButton = (actionId: string) => (c: FeishuCard): boolean => c.buttons.some((b) => b.actionId === actionId);
