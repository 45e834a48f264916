import { randomBytes } from 'node:crypto';
import { TOPIC_CARD, TOPIC_ROBOT } from 'dingtalk-stream';
import type { Ack, CardInstance, FakeDingtalkServer } from '../fakes/dingtalk-server.ts';
import { dingtalkStaffId, waitUntil } from './platform-env.ts';

/** A template card as the fake DingTalk server holds it (current variables after every PUT). */
export interface DingtalkCard {
  outTrackId: string;
  to: string;
  title: string;
  subtitle: string;
  text: string;
  buttons: { actionId: string; value: string; inForm: boolean }[];
  updates: number;
}

function parseButtons(raw: string | undefined, inForm: boolean): DingtalkCard['buttons'] {
  if (!raw) return [];
  return (JSON.parse(raw) as { actionId: string; value: string }[]).map((b) => ({ actionId: b.actionId, value: b.value, inForm }));
}

export function parseDingtalkCard(c: CardInstance): DingtalkCard {
  const p = c.params;
  return {
    outTrackId: c.outTrackId, to: c.openSpaceId.split('.').slice(2).join('.'), title: p['title'] ?? '', subtitle: p['subtitle'] ?? '',
    text: JSON.stringify(p), buttons: [...parseButtons(p['actions'], false), ...parseButtons(p['form_actions'], true)], updates: c.updates.length,
  };
}

/**
 * Plays DingTalk against the app over the real Stream connection: robot messages and card callbacks are pushed as
 * CALLBACK frames by the fake gateway to the app's DWClient; cards and robot texts are read from the fake OpenAPI.
 */
export class DingtalkDriver {
  constructor(readonly fake: FakeDingtalkServer) {}

  /** A robot message in the user's p2p chat. `msgId` is the dedupe key (redeliveries repeat it under a new frame id). */
  say(user: string, text: string, msgId = `msg${randomBytes(8).toString('hex')}`): Promise<Ack> {
    const staff = dingtalkStaffId(user);
    return this.fake.pushCallback(TOPIC_ROBOT, {
      conversationId: `cid_${user}`, conversationType: '1', msgId, senderStaffId: staff, senderNick: user, senderId: `$:${user}`,
      isInAtList: true, robotCode: 'dingclientstory', msgtype: 'text', text: { content: text }, createAt: Date.now(),
    });
  }

  /** A card callback as DingTalk sends it for a template button (form buttons carry `params.form`). */
  async click(user: string, card: DingtalkCard, actionId: string, form: Record<string, unknown> = {}, frameId?: string): Promise<Record<string, unknown>> {
    const b = card.buttons.find((x) => x.actionId === actionId);
    if (!b) throw new Error(`card ${card.title} has no button ${actionId}: ${card.buttons.map((x) => x.actionId).join(', ')}`);
    const params = { actionId, value: b.value, ...(b.inForm ? { form } : {}) };
    const ack = await this.fake.pushCallback(TOPIC_CARD, {
      type: 'actionCallback', corpId: 'dingcorp', userId: dingtalkStaffId(user), userIdType: 1, outTrackId: card.outTrackId,
      spaceType: 'IM_ROBOT', spaceId: dingtalkStaffId(user),
      content: JSON.stringify({ cardPrivateData: { actionIds: [b.inForm ? 'form' : actionId], params } }),
    }, frameId);
    const data = JSON.parse(ack.data) as { response?: Record<string, unknown> };
    return data.response ?? {};
  }

  cardsTo(user: string): DingtalkCard[] {
    const space = `dtv1.card//IM_ROBOT.${dingtalkStaffId(user)}`;
    return [...this.fake.cards.values()].filter((c) => c.openSpaceId === space).sort((a, b) => a.seq - b.seq).map(parseDingtalkCard);
  }

  /** What `user` alone sees on a card: their private data (a refused or answered click's notice). */
  privateOf(user: string, card: DingtalkCard): Record<string, string> {
    return this.fake.cards.get(card.outTrackId)?.privateParams[dingtalkStaffId(user)] ?? {};
  }

  /**
   * Everything the fake found wrong with what the service sent: refused API calls (a repeat create answered
   * param.cardAlreadyExist is the documented idempotency, not a fault), variables a template could not render,
   * malformed callback answers and ACK frames.
   */
  strictnessFindings(): string[] {
    return [
      ...this.fake.rejected.filter((r) => r.code !== 'param.cardAlreadyExist').map((r) => `${r.path}: ${r.code} ${r.message}`),
      ...this.fake.renderIssues, ...this.fake.callbackProblems, ...this.fake.gateway.upstreamProblems,
    ];
  }

  textsTo(user: string): string[] {
    const staff = dingtalkStaffId(user);
    return this.fake.robotMessages
      .filter((m) => m.body['msgKey'] === 'sampleText' && (m.body['userIds'] as string[] | undefined)?.includes(staff))
      .map((m) => (JSON.parse(String(m.body['msgParam'])) as { content: string }).content);
  }

  waitForCard(user: string, pred: (c: DingtalkCard) => boolean, what = 'a card'): Promise<DingtalkCard> {
    return waitUntil(() => [...this.cardsTo(user)].reverse().find(pred), `${what} to ${user}; has ${JSON.stringify(this.cardsTo(user).map((c) => `${c.title}/${c.subtitle}`))}`);
  }

  waitForText(user: string, re: RegExp): Promise<string> {
    return waitUntil(() => this.textsTo(user).find((t) => re.test(t)), `text ${re} to ${user}; has ${JSON.stringify(this.textsTo(user))}`);
  }
}

export const dtHasButton = (id: string) => (c: DingtalkCard): boolean => c.buttons.some((b) => b.actionId === id);
