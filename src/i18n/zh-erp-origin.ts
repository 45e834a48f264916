import type { enErpOrigin } from './en-erp-origin.ts';

/** card.erpOrigin in Chinese: the keys of en-erp-origin.ts (a missing or extra key does not compile); spread into zh.ts. */
export const zhErpOrigin: { readonly [K in keyof typeof enErpOrigin]: string } = {
  'card.erpOrigin.document': 'ERP 单据',
  'card.erpOrigin.title': '标题',
  'card.erpOrigin.owner': '制单人',
  'card.erpOrigin.party': '往来单位',
  'card.erpOrigin.total': '合计',
  'card.erpOrigin.state': 'ERP 状态',
  'card.erpOrigin.state.draft': '草稿',
  'card.erpOrigin.state.waiting': '待审核',
  'card.erpOrigin.state.approved': '已审核',
  'card.erpOrigin.state.rejected': '已驳回',
  'card.erpOrigin.state.cancelled': '已作废',
  'card.erpOrigin.state.deleted': '已删除',
  'card.erpOrigin.line': '数量 {quantity} · {amount}',
  'card.erpOrigin.moreLines': '……另有 {count} 行',
  'card.erpOrigin.open': '在 ERP 中打开',
  'card.erpOrigin.decision.sending.approve': '同意结果已发送给 ERP，等待 ERP 确认。',
  'card.erpOrigin.decision.sending.reject': '驳回结果已发送给 ERP，等待 ERP 确认。',
  'card.erpOrigin.decision.done.approve': 'ERP 已审核通过这张单据。',
  'card.erpOrigin.decision.done.reject': 'ERP 已把这张单据退回制单人。',
  'card.erpOrigin.decision.failed': 'ERP 拒绝了这个审批结果：{error}',
  'card.erpOrigin.noReason': '未说明原因',
};
