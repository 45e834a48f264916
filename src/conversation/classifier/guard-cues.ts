/**
 * Messages that must never start a form: prompt injection / attempts to get something approved
 * through chat (there is no approve command; approvals happen on cards, by approvers), and
 * greetings or help requests, which get the help text.
 */
const INJECTION = new RegExp([
  String.raw`\b(ignore|disregard|forget|override)\b.{0,20}\b(instructions?|prompts?|rules|guidelines|above|previous)\b`,
  String.raw`\b(system\s+prompt|developer\s+mode|jailbreak|you\s+are\s+now|act\s+as\s+(an?\s+)?(admin|administrator|root|approver)|pretend\s+(to\s+be|you))`,
  String.raw`\b(approve|accept|pass|sign\s*off)\s+(all|every|everything|them\s+all|all\s+(the\s+)?(pending\s+)?requests?)\b`,
  String.raw`\bauto-?approve|\bbypass\b.{0,20}\b(approval|review)|\bskip\b.{0,20}\bapproval`,
  '忽略.{0,8}(指令|指示|提示|规则|要求|设定)|无视.{0,8}(指令|规则|设定)|(之前|以上|前面)的?(指令|提示词|设定)',
  '你现在是|你是管理员|我是管理员|扮演|系统提示|提示词|越狱|管理员模式|开发者模式|超级管理员',
  '(批准|通过|同意|审批通过)(所有|全部|一切|全部的)|(所有|全部)(申请|审批|单据)?(都)?(批准|通过|同意)|一键(审批|批准|通过)',
  '(跳过|绕过|绕开|免)(审批|审核|流程)|直接(批准|审批通过)|帮我(批准|审批通过)',
].join('|'), 'iu');

const GREETING_OR_HELP = /^(?:你好|您好|嗨|哈喽|哈啰|在吗|在不在|早上好|下午好|晚上好|早|hi|hello|hey|yo|good\s+(?:morning|afternoon|evening)|help|帮助|求助|使用说明|说明|菜单|menu|怎么用|如何使用|你能做什么|你会什么|你可以做什么|能做什么|what can you do|how does this work|how do i use this|\/?help|\?|？)[\s!！。.~～?？,，呀啊呢吧]*$/i;

/** Booking a ticket, a room or leave is not one of the catalog's requests (claims come after the fact). */
const BOOKING = /^(?:请|麻烦|帮我|给我|帮忙|我要|我想|能不能|可以)?\s*(?:帮我|给我)?\s*(?:订|预订|预定|预约|订购一张|买一张|抢)(?:一?[张间个间]|个)?|^(?:please\s+|can you\s+|could you\s+)?(?:book|reserve)\b(?!\s+(?:(?:an?|the|my)\s+)?(?:purchase|expense|payment|claim|request|contract|requisition)s?\b)/i;

export function isBookingRequest(text: string): boolean {
  return BOOKING.test(text.trim());
}

export function isInjectionAttempt(text: string): boolean {
  return INJECTION.test(text);
}

export function isGreetingOrHelp(text: string): boolean {
  return GREETING_OR_HELP.test(text.trim());
}
