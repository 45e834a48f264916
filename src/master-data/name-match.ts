/**
 * Which master-data record a name typed in chat means ("华为" → 深圳市华为技术有限公司). Pure and fast: the records'
 * keys are computed once per records array (a WeakMap), then each lookup is a scan of plain strings.
 *
 * Levels, first with any match wins (one match: unique; several: ambiguous, the user picks):
 * 1. the exact name (case, width, spaces and punctuation ignored);
 * 2. an alias or the code;
 * 3. a short name: the name without legal-form and trade suffixes (有限公司, 股份, 集团, 科技, Co., Ltd., Inc.…) equals the
 *    text, with or without a leading city or province (深圳市华为技术有限公司 → 深圳华为 / 华为);
 * 4. the text inside a name or alias (宜家 → 宜家家居（中国）有限公司), whole words for Latin text;
 * 5. a record's short name inside the text (找华为买 → 华为).
 * Nothing: a few names that look alike are suggested.
 */
export interface Matchable { name: string; code?: string | null; aliases?: readonly string[] | null }

export type MatchResult<T> =
  | { type: 'unique'; record: T; by: 'name' | 'alias' | 'code' | 'short' | 'partial' }
  | { type: 'ambiguous'; candidates: T[] }
  | { type: 'none'; suggestions: T[] };

/** At most this many candidates are offered when a name is ambiguous (the rest narrow down as the user says more). */
export const MAX_CANDIDATES = 5;
const MAX_SUGGESTIONS = 3;

/** Legal forms and generic trade words at the end of company names, longest first (stripped repeatedly). */
const ZH_SUFFIXES = [
  '股份有限公司', '有限责任公司', '有限公司', '分公司', '总公司', '公司', '集团', '控股', '股份', '科技', '技术', '信息', '网络',
  '贸易', '商贸', '工贸', '实业', '电子', '软件', '国际', '发展', '企业', '工作室', '商行', '厂',
];
const EN_SUFFIXES = new Set([
  'co', 'ltd', 'limited', 'inc', 'incorporated', 'corp', 'corporation', 'llc', 'plc', 'gmbh', 'ag', 'sa', 'company', 'group',
  'holding', 'holdings', 'technology', 'technologies', 'tech', 'international', 'intl',
]);
/** Provinces, municipalities and large cities that open many company names, with 省/市/自治区 after them or not. */
const REGIONS = [
  '中国', '北京', '上海', '天津', '重庆', '广东', '深圳', '广州', '东莞', '佛山', '珠海', '浙江', '杭州', '宁波', '温州', '江苏', '南京',
  '苏州', '无锡', '常州', '四川', '成都', '湖北', '武汉', '陕西', '西安', '山东', '济南', '青岛', '福建', '福州', '厦门', '安徽', '合肥',
  '湖南', '长沙', '河南', '郑州', '河北', '石家庄', '辽宁', '沈阳', '大连', '黑龙江', '哈尔滨', '吉林', '长春', '云南', '昆明', '贵州',
  '贵阳', '广西', '南宁', '海南', '海口', '江西', '南昌', '山西', '太原', '内蒙古', '新疆', '西藏', '宁夏', '青海', '甘肃', '兰州', '香港',
  '澳门', '台湾',
];
const REGION = new RegExp(`^(?:${REGIONS.join('|')})(?:省|市|自治区|特别行政区)?`);
const HAN = /\p{Script=Han}/u;

interface Keys {
  /** Letters and digits only. */
  key: string;
  /** Letters and digits as space-separated words (for whole-word matches of Latin names). */
  words: string;
  /** Without parenthesised parts and suffixes, the region kept. */
  stripped: string;
  /** `stripped` without a leading region. */
  core: string;
  /** `core` as space-separated words. */
  coreWords: string;
}

interface Prepared<T> { record: T; name: Keys; aliases: Keys[]; code: string | null }

function normalize(s: string): string {
  return s.normalize('NFKC').toLowerCase();
}

function wordsOf(s: string): string {
  return s.replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/** Space-separated words without trailing legal forms and trade words. */
function stripSuffixes(words: string): string {
  let w = words.split(' ').filter(Boolean);
  // English legal forms are trailing words ("acme widgets co ltd").
  while (w.length > 1 && EN_SUFFIXES.has(w[w.length - 1]!)) w = w.slice(0, -1);
  let s = w.join(' ');
  for (let changed = true; changed;) {
    changed = false;
    for (const suffix of ZH_SUFFIXES) {
      if (s.endsWith(suffix) && s.replace(/ /g, '').length - suffix.length >= 2) { s = s.slice(0, -suffix.length).trim(); changed = true; break; }
    }
  }
  return s;
}

function stripRegion(s: string): string {
  let out = s;
  for (let i = 0; i < 2; i++) {
    const m = REGION.exec(out);
    if (!m || out.replace(/ /g, '').length - m[0].length < 2) break;
    out = out.slice(m[0].length).trim();
  }
  return out;
}

function keysOf(raw: string): Keys {
  const n = normalize(raw);
  const words = wordsOf(n);
  const strippedWords = stripSuffixes(wordsOf(n.replace(/\([^)]*\)/g, ' ')));
  const coreWords = stripRegion(strippedWords);
  return { key: words.replace(/ /g, ''), words, stripped: strippedWords.replace(/ /g, ''), core: coreWords.replace(/ /g, ''), coreWords };
}

const cache = new WeakMap<readonly Matchable[], Prepared<Matchable>[]>();

function prepare<T extends Matchable>(records: readonly T[]): Prepared<T>[] {
  let p = cache.get(records) as Prepared<T>[] | undefined;
  if (!p) {
    p = records.map((record) => ({
      record, name: keysOf(record.name), aliases: (record.aliases ?? []).filter((a) => a.trim()).map(keysOf),
      code: record.code ? wordsOf(normalize(record.code)).replace(/ /g, '') : null,
    }));
    cache.set(records, p as Prepared<Matchable>[]);
  }
  return p;
}

/** Long enough to mean something on its own: two Han characters, or three other letters or digits. */
function distinctive(s: string): boolean {
  return HAN.test(s) ? s.length >= 2 : s.length >= 3;
}

/** `needle` inside `hay`: anywhere for Han text, as whole words otherwise. */
function contains(hay: Keys, needle: Keys): boolean {
  if (!distinctive(needle.stripped)) return false;
  if (HAN.test(needle.key)) return hay.key.includes(needle.stripped);
  return ` ${hay.words} `.includes(` ${needle.words} `) || ` ${hay.words} `.includes(` ${needle.coreWords} `);
}

/** Character bigrams' overlap (Dice), for suggestions. */
function similarity(a: string, b: string): number {
  const grams = (s: string): string[] => (s.length < 2 ? [s] : Array.from({ length: s.length - 1 }, (_, i) => s.slice(i, i + 2)));
  const ga = grams(a);
  const gb = grams(b);
  const pool = new Map<string, number>();
  for (const g of gb) pool.set(g, (pool.get(g) ?? 0) + 1);
  let common = 0;
  for (const g of ga) {
    const n = pool.get(g) ?? 0;
    if (n > 0) { common++; pool.set(g, n - 1); }
  }
  return (2 * common) / (ga.length + gb.length);
}

export function matchRecords<T extends Matchable>(records: readonly T[], text: string): MatchResult<T> {
  const q = keysOf(text);
  const prepared = prepare(records);
  if (!q.key) return { type: 'none', suggestions: [] };
  const all = (p: Prepared<T>): Keys[] => [p.name, ...p.aliases];
  const levels: [by: 'name' | 'alias' | 'code' | 'short' | 'partial', test: (p: Prepared<T>) => boolean][] = [
    ['name', (p) => p.name.key === q.key],
    ['alias', (p) => p.aliases.some((a) => a.key === q.key)],
    ['code', (p) => p.code === q.key],
    ['short', (p) => distinctive(q.stripped) && all(p).some((k) => k.stripped === q.stripped || k.core === q.stripped)],
    ['partial', (p) => all(p).some((k) => contains(k, q))],
    ['partial', (p) => all(p).some((k) => distinctive(k.core) && (HAN.test(k.core) ? q.key.includes(k.core) : ` ${q.words} `.includes(` ${k.coreWords} `)))],
  ];
  for (const [by, test] of levels) {
    const hits = prepared.filter(test);
    if (hits.length === 1) return { type: 'unique', record: hits[0]!.record, by };
    if (hits.length > 1) return { type: 'ambiguous', candidates: hits.slice(0, MAX_CANDIDATES).map((h) => h.record) };
  }
  // Compared whole and by short name: a typo in 鲲鹏云 is close to the short name, far from the full legal name.
  const scored = prepared.map((p) => ({ p, score: Math.max(...all(p).map((k) => Math.max(similarity(q.key, k.key), similarity(q.core, k.core)))) }))
    .filter((s) => s.score >= 0.3).sort((a, b) => b.score - a.score);
  return { type: 'none', suggestions: scored.slice(0, MAX_SUGGESTIONS).map((s) => s.p.record) };
}
