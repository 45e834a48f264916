import { describe, expect, it } from 'vitest';
import { isCancelReply, isConfirmReply } from '../../../src/conversation/turn-cues.ts';

describe('cancel and confirm cues inside an open form', () => {
  it.each(['算了', '算了吧', '那就算了', '不要了', '取消', '算了这个申请', 'cancel', 'never mind', 'cancel it', 'forget it, thanks'])('"%s" cancels', (t) => {
    expect(isCancelReply(t)).toBe(true);
  });
  it.each(['算了，金额还是改成3000吧', '取消出发日期', 'cancel the supplier', '算了，目的地是上海', '取消数量'])('"%s" is an edit, not a cancel', (t) => {
    expect(isCancelReply(t)).toBe(false);
  });
  it.each(['确认', '好的，提交吧', 'ok submit', 'yes'])('"%s" confirms', (t) => {
    expect(isConfirmReply(t)).toBe(true);
  });
  it.each(['不确认', '先不提交', 'no'])('"%s" does not confirm', (t) => {
    expect(isConfirmReply(t)).toBe(false);
  });
});
