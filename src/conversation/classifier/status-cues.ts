/**
 * "Where is my X?" versus "submit X": phrasings that ask about something already submitted.
 * They win over form intents, since the same nouns (报销, purchase request) appear in both.
 */
const ZH_STATUS = /到哪一?步|到哪了|到哪儿了|到哪里了|走到哪|进度|状态|批了没|批了吗|批没批|批下来|审批了(吗|没)|审完了?(吗|没)|通过了?(吗|没)|有没有(通过|批|审批|到账)|(什么时候|何时|多久|啥时候|几时|多长时间)[^，,。]{0,6}?(到账|到卡|打到|打款|打过来|批|审批|通过|付款|报下来|下来|收到|拿到|回款|到)|到账了?(吗|没)|还没(到账|批|审批|通过|打款|收到)|怎么还没|卡在|在谁(那|手)|谁在审|查(一下|询|查|看)?(我|一下)?(的)?(申请|报销|单|审批|流程)|(申请|报销|单子|审批)(呢|怎么样了|咋样了)|处理(好|完)了?(吗|没)|打款了?(吗|没)/u;
const EN_STATUS = /\b(where\s+(is|are|'s)\s+(my|our|the)|status|progress|any\s+update|has\s+(my|the|our)\b.*\b(been\s+)?(approved|paid|processed|signed)|(was|were|is|are)\s+(my|the|our)\b.*\b(approved|paid|processed|rejected)|when\s+will\s+(i|my|we|it)|track(ing)?\s+(my|the)|check\s+on|still\s+pending|stuck|what\s+happened\s+to|been\s+approved\s+yet|approved\s+yet|paid\s+yet)\b/i;

export function isStatusQuestion(text: string): boolean {
  return ZH_STATUS.test(text) || EN_STATUS.test(text);
}
