import type { Locale } from '../core/locale.ts';
import { t } from '../i18n/catalog.ts';
import type { NotifyMessage } from '../jobs/job-kinds.ts';

/** One-line notification texts that accompany card updates (the card holds the detail). */
export function notifyText(m: NotifyMessage, number: string, intentName: string, name: (id: string) => string, locale: Locale): string {
  const at = { intent: intentName, number };
  switch (m.kind) {
    case 'approved': return t(locale, 'notify.approved', at);
    case 'rejected': return t(locale, 'notify.rejected', { ...at, reason: m.reason });
    case 'withdrawn': return t(locale, 'notify.withdrawn', at);
    case 'comment': return t(locale, 'notify.comment', { ...at, by: name(m.by), text: m.text });
    case 'transferred': return t(locale, 'notify.transferred', { ...at, by: name(m.by) });
    case 'reminder':
      if (m.by === 'system') return t(locale, 'notify.overdue', at);
      return t(locale, 'notify.reminder', { ...at, by: name(m.by) });
  }
}
