/**
 * card.erpOrigin: the "ERP document" section of the card of a request made in the ERP (src/cards/erp-origin-view.ts),
 * in English; spread into en.ts (kept apart so the catalogs stay short). zh-erp-origin.ts has the same keys.
 */
export const enErpOrigin = {
  'card.erpOrigin.document': 'ERP document',
  'card.erpOrigin.title': 'Title',
  'card.erpOrigin.owner': 'Prepared by',
  'card.erpOrigin.party': 'Party',
  'card.erpOrigin.total': 'Total',
  'card.erpOrigin.state': 'State in the ERP',
  'card.erpOrigin.state.draft': 'Draft',
  'card.erpOrigin.state.waiting': 'Waiting for approval',
  'card.erpOrigin.state.approved': 'Approved',
  'card.erpOrigin.state.rejected': 'Rejected',
  'card.erpOrigin.state.cancelled': 'Cancelled',
  'card.erpOrigin.state.deleted': 'Deleted',
  'card.erpOrigin.line': 'qty {quantity} · {amount}',
  'card.erpOrigin.moreLines': '… and {count} more lines',
  'card.erpOrigin.open': 'Open in the ERP',
  'card.erpOrigin.decision.sending.approve': 'Approval sent to the ERP; waiting for it to confirm.',
  'card.erpOrigin.decision.sending.reject': 'Rejection sent to the ERP; waiting for it to confirm.',
  'card.erpOrigin.decision.done.approve': 'The ERP approved the document.',
  'card.erpOrigin.decision.done.reject': 'The ERP sent the document back to its owner.',
  'card.erpOrigin.decision.failed': 'The ERP refused the decision: {error}',
  'card.erpOrigin.noReason': 'it gave no reason',
} as const;
