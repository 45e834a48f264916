import type { Locale } from '../core/locale.ts';
import { formatLocalDateTime } from '../core/time-zone.ts';
import { t } from '../i18n/catalog.ts';
import type { NotifyMessage } from '../jobs/job-kinds.ts';
import type { ErpOrigin } from '../workflow/approval-states.ts';
import { formatAmount } from './format-value.ts';

/**
 * One-line notification texts that accompany card updates (the card holds the detail). ERP times are shown in
 * `timeZone` when it is given, and left out otherwise (the card shows them). `origin`: the ERP document a request
 * made in the ERP approves; its number is named next to ours, and its requester puts a rejection right in the ERP.
 */
export function notifyText(m: NotifyMessage, number: string, intentName: string, name: (id: string) => string, locale: Locale, timeZone?: string,
  origin?: Pick<ErpOrigin, 'number' | 'erpId'> | null): string {
  const at = { intent: intentName, number: origin ? t(locale, 'notify.numberWithErp', { number, erp: origin.number ?? origin.erpId }) : number };
  const time = (iso: string | undefined): string | undefined => {
    const d = iso ? new Date(iso) : undefined;
    return d && timeZone && !Number.isNaN(d.getTime()) ? formatLocalDateTime(d, timeZone) : undefined;
  };
  /** " (a · b)" in the recipient's language, or nothing when the ERP reported none of them. */
  const details = (parts: (string | undefined)[]): string => {
    const shown = parts.filter((p): p is string => p !== undefined && p !== '');
    return shown.length ? t(locale, 'notify.details', { details: shown.join(t(locale, 'notify.detailSeparator')) }) : '';
  };
  switch (m.kind) {
    case 'approved': return t(locale, origin ? 'notify.originApproved' : m.complete ? 'notify.approvedComplete' : 'notify.approved', at);
    case 'rejected': return t(locale, origin ? 'notify.originRejected' : 'notify.rejected', { ...at, reason: m.reason });
    case 'withdrawn': return t(locale, 'notify.withdrawn', at);
    case 'comment': return t(locale, 'notify.comment', { ...at, by: name(m.by), text: m.text });
    case 'transferred': return t(locale, 'notify.transferred', { ...at, by: name(m.by) });
    case 'reminder':
      if (m.by === 'system') return t(locale, 'notify.overdue', at);
      return t(locale, 'notify.reminder', { ...at, by: name(m.by) });
    case 'erp_created': return t(locale, 'notify.erpCreated', { ...at, details: details([m.number]) });
    case 'erp_failed': return t(locale, 'notify.erpFailed', { ...at, reason: m.reason });
    case 'erp_not_required': return t(locale, 'notify.erpNotRequired', at);
    case 'erp_closed': return t(locale, `notify.erpClosed.${m.why}`, at);
    case 'erp_posted':
      return t(locale, 'notify.erpPosted', { ...at, details: details([time(m.at), m.voucher && t(locale, 'card.timeline.voucher', { voucher: m.voucher })]) });
    case 'erp_paid': {
      const d = details([m.amount && formatAmount(m.amount, m.currency), time(m.at), m.bankRef && t(locale, 'card.timeline.bankRef', { ref: m.bankRef })]);
      return t(locale, m.partial ? 'notify.erpPartlyPaid' : 'notify.erpPaid', { ...at, details: d });
    }
  }
}
