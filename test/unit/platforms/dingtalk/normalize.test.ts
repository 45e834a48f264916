import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizeCardCallback, normalizeRobotMessage } from '../../../../src/platforms/dingtalk/normalize.ts';
import type { StreamFrame } from '../../../../src/platforms/dingtalk/types.ts';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../../fixtures/dingtalk/${name}`, import.meta.url), 'utf8')) as StreamFrame;
const receivedAt = new Date('2026-11-23T10:00:00Z');
const ctx = { botId: 'dingtalk-ops', tenantId: 'acme', receivedAt };
const withData = (f: StreamFrame, patch: Record<string, unknown>): StreamFrame => ({ ...f, data: JSON.stringify({ ...(JSON.parse(f.data) as object), ...patch }) });

describe('normalizeRobotMessage', () => {
  it('p2p text: eventId = msgId, sender = staffId, chat by user', () => {
    expect(normalizeRobotMessage(fixture('robot-message-p2p-text.json'), ctx)).toEqual({
      kind: 'event',
      event: {
        source: 'dingtalk:dingtalk-ops', eventId: 'msgTVS1/bgVPOVDNPB0PXmKvQ==', platform: 'dingtalk', botId: 'dingtalk-ops', tenantId: 'acme', receivedAt,
        sender: { platform: 'dingtalk', botId: 'dingtalk-ops', externalId: 'manager4220', name: '张三' },
        kind: 'message', chat: { platform: 'dingtalk', botId: 'dingtalk-ops', userExternalId: 'manager4220' }, chatType: 'p2p',
        text: '帮我提交这个月的差旅费 1200 元',
      },
    });
  });

  it('group @bot text: trimmed, chat by openConversationId', () => {
    const r = normalizeRobotMessage(fixture('robot-message-group-at.json'), ctx);
    expect(r).toMatchObject({ kind: 'event', event: { chatType: 'group', chat: { chatId: 'cidQ9wNf3o8hZ3mLk0Q1Jz2Vw==' }, text: '申请采购 3 台显示器，预算 4500 元' } });
  });

  it('richText is flattened; pictures and group messages not at the bot are ignored', () => {
    const rich = withData(fixture('robot-message-p2p-text.json'), { msgtype: 'richText', text: undefined, content: { richText: [{ text: '报销 ' }, { type: 'picture', downloadCode: 'x' }, { text: '300' }] } });
    expect(normalizeRobotMessage(rich, ctx)).toMatchObject({ kind: 'event', event: { text: '报销 300' } });
    expect(normalizeRobotMessage(withData(fixture('robot-message-p2p-text.json'), { msgtype: 'picture' }), ctx)).toEqual({ kind: 'ignored', reason: 'unsupported_message_type:picture' });
    expect(normalizeRobotMessage(withData(fixture('robot-message-group-at.json'), { isInAtList: false }), ctx)).toEqual({ kind: 'ignored', reason: 'group_without_bot_mention' });
    expect(normalizeRobotMessage({ ...fixture('robot-message-p2p-text.json'), data: 'nope' }, ctx).kind).toBe('ignored');
  });
});

describe('normalizeCardCallback', () => {
  it('button: actionId and value from the callback params, eventId = frame messageId', () => {
    expect(normalizeCardCallback(fixture('card-callback-button.json'), ctx)).toEqual({
      kind: 'event',
      event: {
        source: 'dingtalk:dingtalk-ops', eventId: '5b6c7d8e_318_1898c1b2cc3_3b0d2', platform: 'dingtalk', botId: 'dingtalk-ops', tenantId: 'acme', receivedAt,
        sender: { platform: 'dingtalk', botId: 'dingtalk-ops', externalId: 'manager4220' },
        kind: 'card_action',
        message: { platform: 'dingtalk', botId: 'dingtalk-ops', messageId: 'aa0f3b1c2d4e5f60718293a4b5c6d7e8f90a1b2c3d', extra: { outTrackId: 'aa0f3b1c2d4e5f60718293a4b5c6d7e8f90a1b2c3d', mode: 'card' } },
        chat: { platform: 'dingtalk', botId: 'dingtalk-ops', userExternalId: 'manager4220' },
        actionId: 'approve', value: { requestId: 'R-1', version: '3' }, form: {},
      },
    });
  });

  it('form submit: a NUMBER input\'s number and a SWITCH\'s boolean arrive as strings, a multi-select as its values', () => {
    const content = JSON.stringify({ cardPrivateData: { actionIds: ['form'], params: { actionId: 'submit', value: '{}', form: { qty: 3, urgent: true, tags: { index: [0, 2], value: ['a', 'c'] } } } } });
    const frame = { ...fixture('card-callback-form.json'), data: JSON.stringify({ outTrackId: 'o', userId: 'u', content }) };
    expect(normalizeCardCallback(frame, ctx)).toMatchObject({ kind: 'event', event: { form: { qty: '3', urgent: 'true', tags: ['a', 'c'] } } });
  });

  it('form submit: select {index,value} reduced to value, group chat from spaceId', () => {
    expect(normalizeCardCallback(fixture('card-callback-form.json'), ctx)).toMatchObject({
      kind: 'event',
      event: { actionId: 'submit', value: { draftId: 'D-9' }, form: { amount: '1200', category: 'taxi', date: '2026-11-01' }, chat: { chatId: 'cidQ9wNf3o8hZ3mLk0Q1Jz2Vw==' } },
    });
  });
});
