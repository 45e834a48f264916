/** The answer about one request a status question picked out (zh-status.ts has the same keys, in Chinese). */
export const enStatus = {
  'card.statusOne.submitted': 'submitted {at}',
  'card.statusOne.stage': 'Stage',
  'card.statusOne.holder': 'With',
  'card.statusOne.amount': 'Amount',
  'card.statusOne.erpNumber': 'ERP number',
  'card.statusOne.posted': 'Posted',
  'card.statusOne.paid': 'Paid',
  'card.statusOne.postedAt': 'posted · {at}',
  'card.statusOne.notPosted': 'not posted yet',
  'card.statusOne.paidAt': 'paid {amount} · {at}',
  'card.statusOne.notPaid': 'not paid yet',
  'card.statusOne.noErp': 'no ERP document needed',
} as const;
