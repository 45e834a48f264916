/**
 * Tokens for intent scoring. Chinese: character unigrams and bigrams (robust to unseen words)
 * plus the words Intl.Segmenter finds (ICU dictionary), so 报销 and 差旅 count as wholes too.
 * English: lower-cased words from Intl.Segmenter with a light plural/suffix stemmer.
 */
const zhSegmenter = new Intl.Segmenter('zh', { granularity: 'word' });
const HAN = /\p{Script=Han}/u;
/** Function words and question words: they say nothing about which form is meant. */
const STOP = new Set([
  '我', '你', '他', '她', '它', '的', '了', '着', '吗', '呢', '吧', '啊', '呀', '是', '在', '有', '和', '就', '都', '也', '很', '这', '那',
  '个', '一', '下', '帮', '请', '要', '想', '能', '会', '可', '以', '么', '怎', '什', '么', '哪', '谁', '为', '把', '被', '给', '让',
  '我们', '你们', '他们', '我的', '一下', '帮我', '请帮', '怎么', '什么', '哪里', '哪个', '为什', '可以', '能不', '不能', '需要', '一个', '这个', '那个',
  'i', 'me', 'my', 'you', 'your', 'we', 'our', 'it', 'its', 'the', 'a', 'an', 'to', 'of', 'for', 'in', 'on', 'at', 'and', 'or', 'is', 'are', 'was',
  'be', 'do', 'doe', 'what', 'how', 'why', 'who', 'this', 'that', 'these', 'please', 'can', 'could', 'would', 'will', 'need', 'want', 'with', 'from',
  'by', 'about', 'some', 'just', 'get', 'got', 'have', 'ha', 'had', 'there', 'here', 'wa', 'so', 'if', 'up',
]);

/** A function word or question word (the tokenizer drops these). */
export function isStopWord(word: string): boolean {
  return STOP.has(word);
}

export function stemEnglish(word: string): string {
  let w = word.toLowerCase();
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 4 && /(ches|shes|xes|sses)$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  return w;
}

export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const seg of zhSegmenter.segment(text.toLowerCase())) {
    if (!seg.isWordLike) continue;
    const word = seg.segment;
    if (HAN.test(word)) {
      const chars = [...word].filter((c) => HAN.test(c));
      if (chars.length > 1 && !STOP.has(chars.join(''))) tokens.push(`w:${chars.join('')}`);
      continue;
    }
    if (/^[a-z][a-z'-]*$/.test(word)) {
      const stem = stemEnglish(word.replace(/'s$/, ''));
      if (!STOP.has(stem)) tokens.push(stem);
    }
  }
  const han = [...text].map((c) => (HAN.test(c) ? c : ' ')).join('').split(/\s+/).filter(Boolean);
  for (const run of han) {
    const chars = [...run];
    chars.forEach((c, i) => {
      if (!STOP.has(c)) tokens.push(c);
      const next = chars[i + 1];
      if (next && !STOP.has(c + next)) tokens.push(c + next);
    });
  }
  return tokens;
}
