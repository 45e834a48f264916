import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizeFeishuEvent, type FeishuNormalizeContext } from '../../../../src/platforms/feishu/normalize.ts';
import type { FeishuEnvelope } from '../../../../src/platforms/feishu/types.ts';
import { resolveMentions } from '../../../../src/platforms/feishu/message-text.ts';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../../fixtures/feishu/${name}`, import.meta.url), 'utf8')) as FeishuEnvelope;
const receivedAt = new Date('2026-11-23T10:00:00Z');
const ctx: FeishuNormalizeContext = { botId: 'feishu-finance', tenantId: 'acme', botOpenId: 'ou_bot', receivedAt };

describe('normalizeFeishuEvent', () => {
  it('p2p text message', () => {
    const r = normalizeFeishuEvent(fixture('im-message-p2p-text.json'), ctx);
    expect(r).toEqual({
      kind: 'event',
      event: {
        source: 'feishu:feishu-finance', eventId: '5e3702a84e847582be8db7fb73283c02', platform: 'feishu', botId: 'feishu-finance', tenantId: 'acme',
        sender: { platform: 'feishu', botId: 'feishu-finance', externalId: 'ou_84aad35d084aa403a838cf73ee18467', aliases: ['on_8ed6aa67826108097d9ee143816345', 'e33ggbyz'] },
        receivedAt, kind: 'message',
        chat: { platform: 'feishu', botId: 'feishu-finance', chatId: 'oc_5ce6d572455d361153b7xx51da133945', userExternalId: 'ou_84aad35d084aa403a838cf73ee18467' },
        chatType: 'p2p', text: '帮我提交这个月的差旅费 1200 元',
      },
    });
  });

  it('group post with @bot: mention stripped, other mentions named, rich text flattened', () => {
    const r = normalizeFeishuEvent(fixture('im-message-group-post-mention.json'), ctx);
    if (r.kind !== 'event' || r.event.kind !== 'message') throw new Error('expected a message');
    expect(r.event.chatType).toBe('group');
    expect(r.event.chat).toEqual({ platform: 'feishu', botId: 'feishu-finance', chatId: 'oc_a0553eda9014c201e6969b478895c230' });
    expect(r.event.text).toBe('采购申请\n申请采购 3 台显示器\n预算 4500 元，抄送 @王五');
  });

  it('ten or more mentions resolve each placeholder whole (@_user_1 is not the start of @_user_10)', () => {
    const mentions = Array.from({ length: 10 }, (_, i) => ({ key: `@_user_${i + 1}`, openId: `ou_${i + 1}`, name: `人${i + 1}` }));
    const text = resolveMentions('@_user_1 转交给 @_user_10', mentions, 'ou_1', (m) => m.openId === 'ou_1');
    expect(text).toBe('转交给 @人10');
  });

  it('group message without a bot mention is ignored', () => {
    const env = fixture('im-message-group-post-mention.json');
    const msg = (env.event as { message: { mentions: unknown[]; content: string } }).message;
    msg.mentions = msg.mentions.slice(1);
    msg.content = JSON.stringify({ title: '', content: [[{ tag: 'text', text: 'hello all' }]] });
    expect(normalizeFeishuEvent(env, ctx)).toEqual({ kind: 'ignored', reason: 'group_without_bot_mention' });
  });

  it('falls back to mentioned_type when the bot open_id is unknown', () => {
    const r = normalizeFeishuEvent(fixture('im-message-group-post-mention.json'), { ...ctx, botOpenId: undefined });
    expect(r.kind === 'event' && r.event.kind === 'message' && r.event.text.startsWith('采购申请\n申请采购')).toBe(true);
  });

  it('text message with @_user_1 placeholder in a group', () => {
    const env = fixture('im-message-p2p-text.json');
    const msg = (env.event as { message: Record<string, unknown> }).message;
    Object.assign(msg, { chat_type: 'group', content: JSON.stringify({ text: '@_user_1 报销 300' }), mentions: [{ key: '@_user_1', id: { open_id: 'ou_bot' }, name: 'Bot' }] });
    const r = normalizeFeishuEvent(env, ctx);
    expect(r.kind === 'event' && r.event.kind === 'message' ? r.event.text : '').toBe('报销 300');
  });

  it('ignores images and unknown event types', () => {
    const env = fixture('im-message-p2p-text.json');
    Object.assign((env.event as { message: Record<string, unknown> }).message, { message_type: 'image', content: '{"image_key":"img_1"}' });
    expect(normalizeFeishuEvent(env, ctx)).toEqual({ kind: 'ignored', reason: 'unsupported_message_type:image' });
    expect(normalizeFeishuEvent({ header: { event_id: 'x', event_type: 'im.chat.member.bot.added_v1' }, event: {} }, ctx).kind).toBe('ignored');
  });

  it('card.action.trigger with form_value', () => {
    const r = normalizeFeishuEvent(fixture('card-action-trigger-form.json'), ctx);
    expect(r).toEqual({
      kind: 'event',
      event: {
        source: 'feishu:feishu-finance', eventId: 'f7984f25108f8137722bb63c6e72ab31', platform: 'feishu', botId: 'feishu-finance', tenantId: 'acme',
        sender: { platform: 'feishu', botId: 'feishu-finance', externalId: 'ou_84aad35d084aa403a838cf73ee18467', aliases: ['on_8ed6aa67826108097d9ee143816345', 'e33ggbyz'] },
        receivedAt, kind: 'card_action',
        message: { platform: 'feishu', botId: 'feishu-finance', messageId: 'om_x100b4c6e2a8a4cd0b3f0e6c8e0e3a7e1', extra: { callbackToken: 'c-295ee57216a5dc9de90fefd0aadb4b1d7d337bc8' } },
        chat: { platform: 'feishu', botId: 'feishu-finance', chatId: 'oc_5ce6d572455d361153b7xx51da133945' },
        actionId: 'submit',
        value: { draftId: 'D-9' },
        form: { amount: '1200', category: 'travel', trip_date: '2024-04-01 +0800', approver: ['ou_7d8a6e6df7621556ce0d21922b676706'] },
      },
    });
  });

  it('a form submit carrying only name + form_value: the action comes from the name, no value needed', () => {
    const env = fixture('card-action-trigger-form.json');
    const action = (env.event as { action: Record<string, unknown> }).action;
    delete action['value'];
    action['name'] = 'Act_dialogX002Esubmit';
    const r = normalizeFeishuEvent(env, ctx);
    if (r.kind !== 'event' || r.event.kind !== 'card_action') throw new Error('expected a click');
    expect(r.event.actionId).toBe('dialog.submit');
    expect(r.event.value).toEqual({});
    expect(r.event.form).toMatchObject({ amount: '1200' });
  });

  it('the name wins over an echoed actionId', () => {
    const env = fixture('card-action-trigger-form.json');
    Object.assign((env.event as { action: Record<string, unknown> }).action, { name: 'Act_reject', value: { actionId: 'approve', requestId: 'R-1' } });
    const r = normalizeFeishuEvent(env, ctx);
    expect(r.kind === 'event' && r.event.kind === 'card_action' ? [r.event.actionId, r.event.value] : []).toEqual(['reject', { requestId: 'R-1' }]);
  });

  it('card callback without event_id gets a stable hashed id', () => {
    const env = fixture('card-action-trigger-form.json');
    delete env.header.event_id;
    const a = normalizeFeishuEvent(env, ctx);
    const b = normalizeFeishuEvent(env, ctx);
    expect(a.kind === 'event' ? a.event.eventId : '').toMatch(/^cb_[0-9a-f]{40}$/);
    expect(a.kind === 'event' && b.kind === 'event' && a.event.eventId === b.event.eventId).toBe(true);
  });
});
