import type { IntentCatalog } from '../config/intent-catalog.ts';
import type { Locale } from '../core/locale.ts';
import { formatMoney } from '../core/money.ts';
import type { RequestRecord } from '../workflow/request-repo.ts';
import type { CardView } from '../core/card-view.ts';

const STAGE = {
  pending: { zh: '审批中：{step}', en: 'Pending: {step}' }, rejected: { zh: '已驳回', en: 'Rejected' }, withdrawn: { zh: '已撤回', en: 'Withdrawn' },
  draft: { zh: '草稿', en: 'Draft' }, approved: { zh: '已通过', en: 'Approved' },
  none: { zh: '已通过', en: 'Approved' }, creating: { zh: '已通过，生成 ERP 单据中', en: 'Approved, creating ERP document' },
  created: { zh: '已通过，待入账', en: 'Approved, awaiting posting' }, posted: { zh: '已入账，待付款', en: 'Posted, awaiting payment' },
  paid: { zh: '已付款', en: 'Paid' }, failed: { zh: '已通过，ERP 同步失败', en: 'Approved, ERP sync failed' },
};

/**
 * "Where is my …": the user's recent requests and the stage each one is at: the approval step and who
 * holds it (`waitingOn`: request id → approver names), then the ERP side (document, posted, paid).
 */
export function buildStatusListCard(requests: RequestRecord[], catalog: IntentCatalog, locale: Locale, waitingOn: Map<string, string[]> = new Map()): CardView {
  const zh = locale === 'zh';
  const title = zh ? '我的申请' : 'My requests';
  if (requests.length === 0) {
    return { title, tone: 'blue', key: 'status', blocks: [{ type: 'text', text: zh ? '你还没有提交过申请。' : 'You have no requests yet.' }] };
  }
  const fields = requests.map((r) => {
    const stepName = r.steps.find((s) => s.index === r.currentStep)?.name[locale] ?? '';
    const who = waitingOn.get(r.id) ?? [];
    const step = !who.length ? stepName : zh ? `${stepName}（${who.join('、')}）` : `${stepName} (${who.join(', ')})`;
    const stage = r.status === 'approved' ? STAGE[r.erpStatus][locale] : STAGE[r.status][locale].replace('{step}', step);
    const amount = r.amount ? ` · ¥${formatMoney(r.amount)}` : '';
    return { label: `${r.number} ${catalog.get(r.intentKey)?.name[locale] ?? r.intentKey}${amount}`, value: stage };
  });
  return { title, subtitle: zh ? `最近 ${requests.length} 条` : `Latest ${requests.length}`, tone: 'blue', key: 'status', blocks: [{ type: 'fields', fields }] };
}
