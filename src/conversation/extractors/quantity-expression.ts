import { parseChineseNumber } from './chinese-numerals.ts';

/**
 * Counting words (量词) and English units that follow a quantity: "10台", "50箱", "300米", "20 boxes".
 * 块 is left out on purpose: "86块" is money far more often than a count.
 */
export const ZH_CLASSIFIERS = [
  '公斤', '千克', '平方米', '平米', '立方', '令', '台', '个', '箱', '把', '卷', '米', '吨', '支', '张', '套', '件', '包', '本',
  '瓶', '盒', '袋', '桶', '只', '根', '条', '份', '辆', '部', '片', '双', '副', '组', '斤', '升', '枚', '颗', '盏', '顶',
  '扇', '捆', '筒', '罐', '提', '打', '批', '架', '块板', '株', '匹', '对', '粒', '册', '幅', '面', '款', '樘', '座',
] as const;

export const EN_UNITS = [
  'units?', 'pcs', 'pieces?', 'boxe?s?', 'packs?', 'packages?', 'cartons?', 'cases?', 'rolls?', 'reams?', 'sets?',
  'bottles?', 'bags?', 'pairs?', 'meters?', 'metres?', 'tons?', 'tonnes?', 'kg', 'kilos?', 'liters?', 'litres?',
  'dozens?', 'crates?', 'pallets?', 'sheets?', 'licen[cs]es?', 'seats?', 'copies',
] as const;

/** Classifiers that say "some" rather than a count (一批 = a batch): a boundary for the item, never a quantity. */
export const VAGUE_CLASSIFIERS = new Set(['批', '些', '点']);

const ZH_CLASSIFIER_TAIL = new RegExp(`(?:${ZH_CLASSIFIERS.join('|')})$`);
const EN_UNIT_TAIL = new RegExp(`\\s*(?:${EN_UNITS.join('|')})$`, 'i');

/** "10", "10台", "十个", "两箱", "1,000", "20 boxes", "x5" → a number; null when it is not just a count. */
export function parseQuantity(input: string): number | null {
  let s = input.trim().replace(/^(?:[x×*]\s*|数量[:：是为]?\s*|共|一共)/i, '').replace(/(\d),(?=\d{3}\b)/g, '$1');
  s = s.replace(ZH_CLASSIFIER_TAIL, '').replace(EN_UNIT_TAIL, '').trim();
  if (s === '') return null;
  if (/^\d+(?:\.\d+)?$/.test(s)) return Number(s);
  return parseChineseNumber(s);
}
