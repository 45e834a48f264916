/** Refused form values and a value the database refused (en-inputs.ts has the same keys, in English). */
export const zhInputs = {
  'form.amountTooLarge': '{field}过大：最多 {max}',
  'form.numberTooLarge': '{field}过大：最多 {max}',
  'form.amountGroups': '{field}：“{value}”不是能识别的金额。请不加逗号（1234.50），或每三位加一个逗号（1,234.50）',
  'form.dateTooEarly': '{field}不能早于 {min}',
  'form.dateTooLate': '{field}不能晚于 {max}',
  'form.notBefore': '{field}（{value}）早于{other}（{otherValue}），请修改其中一个',
  'chat.valueRejected': '无法保存：其中有超出范围的数值或无法保存的字符。草稿未改动，请检查金额、日期和文字后再试。',
} as const;
