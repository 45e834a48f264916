/**
 * Short replies inside an open form: cancel ("算了", "never mind") and confirm ("确认", "ok submit").
 * A reply counts only when it is made of such words (plus fillers), so "提交差旅报销" stays a new request.
 */
const FILLERS = /[\s,，.。!！?？~～、]|吧|了|啊|呀|嗯|哈|呢|的|那就|那|就|还是|please|pls|plz|then|just|it|this|that|now|thanks|thank you|谢谢|请|帮我|我|直接/gi;
const CANCEL_WORDS = /算了|取消|不要了|不用了|不办了|不报了|不买了|不付了|不领了|不弄了|不申请了|先不|放弃|撤销|撤回|退出|停止|作废|不要|不用|cancel|never\s*mind|nevermind|forget\s*(?:about\s*)?(?:it|this)?|abort|quit|stop|drop|discard|no\s*thanks|scratch\s*that|don'?t\s*(?:bother|submit)/gi;
const CONFIRM_WORDS = /确认提交|确认无误|确认|确定|提交|发起|没问题|没错|对的|正确|是的|好的|可以|行|好|对|是|ok(?:ay)?|yes|yep|yeah|y|sure|confirm(?:ed)?|submit|send|go\s*ahead|looks\s*good|lgtm|correct|that'?s\s*right|do|all\s*good|fine/gi;

function onlyMadeOf(text: string, words: RegExp): boolean {
  const lowered = text.toLowerCase();
  if (!words.test(lowered)) return false;
  words.lastIndex = 0;
  const rest = lowered.replace(words, ' ').replace(FILLERS, '').trim();
  return rest === '';
}

/** What may follow a leading cancel word ("算了这个申请") without turning it into an edit ("算了，金额改成3000", "取消出发日期", "cancel the supplier"). */
const EDIT_AFTER_CANCEL = /\d|改|换|成|为|是|日期|时间|金额|数量|地点|目的地|事由|供应商|收款|合同|仓库|物品|change|set|make|date|amount|the\s+\w+/i;

export function isCancelReply(text: string): boolean {
  if (text.length > 24) return false;
  if (onlyMadeOf(text, CANCEL_WORDS)) return true;
  const lead = /^(?:那就|那|还是|我)?(?:算了|取消|不要了|不用了|cancel|never\s*mind|forget\s*it)/i.exec(text.trim());
  if (!lead) return false;
  const rest = text.trim().slice(lead[0].length).replace(FILLERS, '');
  return rest.length <= 6 && !EDIT_AFTER_CANCEL.test(rest);
}

export function isConfirmReply(text: string): boolean {
  if (text.length > 24 || /不|别|no\b|not\b|don'?t/i.test(text)) return false;
  return onlyMadeOf(text, CONFIRM_WORDS);
}
