import type { Locale } from '../core/locale.ts';
import type { NotifyMessage } from '../jobs/job-kinds.ts';

/** One-line notification texts that accompany card updates (the card holds the detail). */
export function notifyText(m: NotifyMessage, number: string, intentName: string, name: (id: string) => string, locale: Locale): string {
  const zh = locale === 'zh';
  const what = `${intentName} ${number}`;
  switch (m.kind) {
    case 'approved': return zh ? `✅ 你的${what}已审批通过，正在生成 ERP 单据。` : `✅ Your ${what} was approved; creating the ERP document.`;
    case 'rejected': return zh ? `❌ 你的${what}被驳回：${m.reason}。可在卡片上修改后重新提交。` : `❌ Your ${what} was rejected: ${m.reason}. Edit and resubmit from the card.`;
    case 'withdrawn': return zh ? `${what}已被申请人撤回，无需处理。` : `${what} was withdrawn by the requester; nothing to do.`;
    case 'comment': return zh ? `💬 ${name(m.by)} 评论了${what}：${m.text}` : `💬 ${name(m.by)} commented on ${what}: ${m.text}`;
    case 'transferred': return zh ? `${name(m.by)} 把${what}转交给了其他人审批。` : `${name(m.by)} transferred ${what} to someone else.`;
    case 'reminder':
      if (m.by === 'system') return zh ? `⏰ ${what}已超过审批时限，请尽快处理。` : `⏰ ${what} is past its review deadline; please take a look.`;
      return zh ? `⏰ ${name(m.by)} 提醒你尽快审批${what}。` : `⏰ ${name(m.by)} asks you to review ${what}.`;
  }
}
