/**
 * The grammar of asking about something that already exists, as opposed to asking for something.
 * Which words mean "posted" or "paid" comes from the status intent's own examples and keywords
 * (intents/status_query.yaml, scored like every other intent); what lives here is only the shape
 * of the sentence, in both languages:
 *
 * - a completion question: has it happened yet? (批了吗, 付出去了吧, 入账没有, 付没付, 有没有到账, "has … been …",
 *   "did …", "was it paid", "… yet");
 * - a where / who / when question about it (到哪, 在谁那, 什么时候到, "where is", "who is holding",
 *   "when will");
 * - a how / may question ("怎么报", "可以报销吗", "how do I claim") asks for the form, not a status;
 * - a listing request about what the user already has (show / list my …, "what requests do I have",
 *   我提的那些 / 我的单子都…): it asks for the existing requests, never for a new one;
 * - any other question ("what's …", "…吗", "…?"): a status word in it is then asked about.
 */
export type QuestionForm = 'progress' | 'how' | 'question' | null;

/** Clause breaks; a comma between digits (3,200) is part of a number. */
const CLAUSES = /[，。；;！!？\n]|,(?!\d)|\?(?=.)|\s[—–-]\s|—/u;

/** 批了吗 / 审过吗 / 处理好了么 / 入账没有 / 批了没 / 到了没有; the particle may be followed by 呢/啊. */
const ZH_DONE_END = /(?:[了过](?:吗|么|嘛|没有?|未)|没有?|未)[呢啊呀]?\s*$/u;
/** 批没批 / 付没付 / 到没到, 有没有到账, 是否已, 已经…了吗. */
const ZH_DONE_INSIDE = /(\p{Script=Han})没\1|有没有|是否已|已经.{0,12}[了过](?:吗|么)|(?:出去|过去|过来|下来|到账|入账|过账|完|好)了吧\s*$/u;
const ZH_WHERE_WHO_WHEN = /到哪|现在在哪|卡在哪|在哪(?:里|儿)?(?:了|呢)?\s*$|哪一步|哪个环节|哪个阶段|在谁|谁手|谁在(?:审|批|处理)|什么时候|啥时候|何时|几时|多久|怎么还没|为什么还没|还没(?:有)?[^，,。]{0,6}(?:吗|呢)|什么情况|怎么样了|咋样了|如何了|还在[^，,。]{0,8}(?:吗|么|呢)\s*$/u;
/** 能/可以/要不要 … 吗 asks whether one may do it; 怎么/如何 asks how. */
const ZH_HOW = /怎么(?!还没|样了)|如何(?!了)|能不能|可不可以|可以|能否|要不要|需不需要|该怎/u;

const EN_DONE = /^(?:has|have|had)\b.*\b(?:been|yet|already|\w{3,}ed|paid|done|gone|sent|through)\b|^did\b|^(?:was|were|is|are)\b.*\b(?:\w{3,}ed|paid|done|through|still|yet|out|waiting|pending|approved)\b|\byet\b\s*\??$/iu;
const EN_WHERE_WHO_WHEN = /^(?:where\s+(?:is|are|'s|does|do)|who\s+(?:is|has|approved|holds|'s)|when\s+(?:will|do|does|did|can|is|are|am)|how\s+(?:far|long)|what\s+happened|what'?s\s+happening|what'?s\s+going\s+on|any(?:thing)?\s+(?:new|news|word|updates?|progress)\s+(?:on|about|with|from|for|regarding)|what'?s\s+(?:pending|waiting|open|outstanding))\b/iu;
/** "show all my claims", "list everything I submitted", "what requests do I have open". */
const EN_LIST = /^(?:(?:please\s+)?(?:show|list|view|display|give)(?:\s+me)?\s+(?:all\s+(?:of\s+)?|every\w*\s+)?(?:my|our|where|what|everything|all)\b|(?:what|which)\s+(?:\w+\s+){0,2}(?:do|did|have)\s+i\b)/iu;
/** 我提的那些申请 / 我的单子都… / 列一下我的: the user's requests as a set. */
const ZH_LIST = /我(?:提交?|交|发起|申请)?的?(?:那些|那几|这几|几个|几张|所有|全部)|我的(?:单子|申请|报销|流程)都|(?:列|列出|看看|看下|看一下)(?:一下)?我(?:的|提交?的|所有)/u;
const EN_HOW = /^(?:how\s+(?:do|can|should)|can\s+i|could\s+i|may\s+i|should\s+i|do\s+i\s+need|is\s+it\s+(?:ok|possible|allowed))\b/iu;

function clauseForm(raw: string): QuestionForm {
  const c = raw.trim().replace(/^(?:请问|问一下|想问下?|我想问下?|那|那么|so|and|but|also|hey|hi|btw)[\s,，]*/iu, '').trim();
  if (c === '') return null;
  if (EN_HOW.test(c)) return 'how';
  if (EN_WHERE_WHO_WHEN.test(c) || EN_DONE.test(c) || EN_LIST.test(c) || ZH_LIST.test(c)) return 'progress';
  if (ZH_WHERE_WHO_WHEN.test(c) || ZH_DONE_INSIDE.test(c)) return 'progress';
  if (ZH_DONE_END.test(c)) return ZH_HOW.test(c) ? 'how' : 'progress';
  if ((/[吗么][呢啊]?\s*$/u.test(c) && ZH_HOW.test(c)) || /^我?(?:该|要|得)?(?:怎么|如何)(?!还没|样)/u.test(c)) return 'how';
  if (/[吗么呢][啊呀]?\s*[?？]?\s*$|[?？]\s*$/u.test(c) || /^(?:what|which|how|any|is|are|was|were|has|have|does|do)\b/iu.test(c)) return 'question';
  return null;
}

/** Whether (some clause of) the message asks how a request stands, asks how to make one, or neither. */
export function questionForm(text: string): QuestionForm {
  let found: QuestionForm = null;
  for (const clause of text.split(CLAUSES)) {
    const f = clauseForm(clause);
    if (f === 'progress') return 'progress';
    if (f === 'how' || (f === 'question' && found === null)) found = f;
  }
  return found;
}
