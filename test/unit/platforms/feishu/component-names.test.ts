import { describe, expect, it } from 'vitest';
import { actionIdOfName, buttonName } from '../../../../src/platforms/feishu/component-names.ts';

describe('Feishu component names', () => {
  it('button names keep to letters, digits and _ and give back the actionId exactly', () => {
    for (const id of ['approve', 'comment', 'transfer_to', 'dialog.submit', 'erp.pay', 'start.travel_expense', 'start.a__b', 'start.x002e']) {
      const name = buttonName(id);
      expect(name).toMatch(/^Act_[A-Za-z0-9_]+$/);
      expect(actionIdOfName(name)).toBe(id);
    }
    expect(buttonName('dialog.submit')).toBe('Act_dialogX002Esubmit');
  });

  it('names that are not our buttons decode to nothing (inputs, forms, foreign names)', () => {
    for (const n of ['comment', 'Form_0', 'submit', 'Act_', 'Act_a.b', 'Act_X00']) expect(actionIdOfName(n)).toBeUndefined();
  });
});
