/** The answer about one request a status question picked out (en-status.ts has the same keys, in English). */
export const zhStatus = {
  'card.statusOne.submitted': '{at} 提交',
  'card.statusOne.stage': '状态',
  'card.statusOne.holder': '当前处理人',
  'card.statusOne.amount': '金额',
  'card.statusOne.erpNumber': 'ERP 单号',
  'card.statusOne.posted': '入账',
  'card.statusOne.paid': '付款',
  'card.statusOne.postedAt': '已入账 · {at}',
  'card.statusOne.notPosted': '未入账',
  'card.statusOne.paidAt': '已付款 {amount} · {at}',
  'card.statusOne.notPaid': '未付款',
  'card.statusOne.noErp': '无需 ERP 单据',
} as const;
