import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CardView } from '../../src/core/card-view.ts';
import { ExternalServiceError } from '../../src/core/errors.ts';
import type { ChatTarget, MessageRef } from '../../src/core/inbound-event.ts';
import type { Messenger } from '../../src/platforms/platform.ts';

/**
 * The Messenger contract, run against every platform implementation with its loopback fake.
 * Assertions are on what the fake server received / holds, never on mocks.
 */
export interface DeliveredMessage { id: string; kind: 'card' | 'text'; to: string; content: string }

export interface MessengerHarness {
  messenger: Messenger;
  p2p: ChatTarget;
  group: ChatTarget;
  /** Everything the fake holds as delivered, in order (after the platform's own dedupe). */
  delivered(): DeliveredMessage[];
  /** Contents the fake recorded as updates of one sent card. */
  updatesOf(ref: MessageRef): string[];
  /** Make the next `n` API calls answer the platform's rate-limit response. */
  rateLimitNext(n: number): void;
  /** Sleeps the messenger asked for (429 resets, throttle waits). */
  sleeps: number[];
  tokenRequests(): number;
  advanceClock(ms: number): void;
  /** Make the card behind `ref` no longer updatable (older than the platform allows). */
  expireCard(ref: MessageRef): void;
  close(): Promise<void>;
}

const approvalCard = (title: string): CardView => ({
  title, tone: 'orange', subtitle: 'R-2026-0001', key: 'request:R-1:approver:u1',
  blocks: [
    { type: 'fields', fields: [{ label: '金额', value: '1200.00' }] },
    { type: 'actions', buttons: [{ actionId: 'approve', label: '同意', style: 'primary', value: { requestId: 'R-1', version: '1' } }] },
  ],
});

export function runMessengerContract(name: string, make: () => Promise<MessengerHarness>): void {
  describe(`Messenger contract: ${name}`, () => {
    let h: MessengerHarness;
    beforeEach(async () => { h = await make(); });
    afterEach(async () => { await h.close(); });

    it('sendCard delivers one card and is idempotent by key', async () => {
      const a = await h.messenger.sendCard(h.p2p, approvalCard('差旅报销 R-1'), { idempotencyKey: 'outbox:1:push_card' });
      const b = await h.messenger.sendCard(h.p2p, approvalCard('差旅报销 R-1'), { idempotencyKey: 'outbox:1:push_card' });
      expect(b.messageId).toBe(a.messageId);
      expect(a).toMatchObject({ platform: h.messenger.platform, botId: h.messenger.botId });
      const cards = h.delivered().filter((m) => m.kind === 'card');
      expect(cards).toHaveLength(1);
      expect(cards[0]?.content).toContain('差旅报销 R-1');
    });

    it('different keys send different cards, to users and to groups', async () => {
      const a = await h.messenger.sendCard(h.p2p, approvalCard('A'), { idempotencyKey: 'k-a' });
      const b = await h.messenger.sendCard(h.group, approvalCard('B'), { idempotencyKey: 'k-b' });
      expect(a.messageId).not.toBe(b.messageId);
      expect(h.delivered().map((m) => m.to)).toEqual([h.p2p.userExternalId, h.group.chatId]);
    });

    it('updateCard changes the sent card in place', async () => {
      const ref = await h.messenger.sendCard(h.p2p, approvalCard('待审批'), { idempotencyKey: 'k-upd' });
      await h.messenger.updateCard(ref, { title: '已同意', tone: 'green', blocks: [{ type: 'text', text: '经理已同意' }] });
      const updates = h.updatesOf(ref);
      expect(updates).toHaveLength(1);
      expect(updates[0]).toContain('已同意');
      expect(h.delivered()).toHaveLength(1);
    });

    it('updateCard on a card too old to update throws card.too_old (not retryable)', async () => {
      const ref = await h.messenger.sendCard(h.p2p, approvalCard('old'), { idempotencyKey: 'k-old' });
      h.expireCard(ref);
      const err = await h.messenger.updateCard(ref, approvalCard('new')).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ExternalServiceError);
      expect(err).toMatchObject({ code: 'card.too_old', retryable: false });
    });

    it('sendText delivers text, idempotent by key', async () => {
      const a = await h.messenger.sendText(h.group, '已提交，等待审批', { idempotencyKey: 'k-text' });
      const b = await h.messenger.sendText(h.group, '已提交，等待审批', { idempotencyKey: 'k-text' });
      expect(b.messageId).toBe(a.messageId);
      const texts = h.delivered().filter((m) => m.kind === 'text');
      expect(texts).toHaveLength(1);
      expect(texts[0]?.content).toContain('已提交，等待审批');
    });

    it('rate-limited calls are retried after the platform reset; nothing is lost or doubled', async () => {
      h.rateLimitNext(2);
      await h.messenger.sendCard(h.p2p, approvalCard('one'), { idempotencyKey: 'rl-1' });
      await h.messenger.sendText(h.p2p, 'two', { idempotencyKey: 'rl-2' });
      await h.messenger.sendCard(h.group, approvalCard('three'), { idempotencyKey: 'rl-3' });
      expect(h.sleeps.length).toBe(2);
      expect(h.sleeps.every((ms) => ms >= 1000)).toBe(true);
      expect(h.delivered().map((m) => m.content.includes('one') || m.content.includes('two') || m.content.includes('three'))).toEqual([true, true, true]);
    });

    it('caches the access token and refreshes it after expiry', async () => {
      for (let i = 0; i < 3; i++) await h.messenger.sendText(h.p2p, `t${i}`, { idempotencyKey: `tok-${i}` });
      expect(h.tokenRequests()).toBe(1);
      h.advanceClock(2 * 3600 * 1000);
      await h.messenger.sendText(h.p2p, 'later', { idempotencyKey: 'tok-later' });
      expect(h.tokenRequests()).toBe(2);
    });
  });
}
