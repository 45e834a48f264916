import type { Span } from './span.ts';

/**
 * A model or part number: after a label (型号 / 规格 / model / part no.), else a code that mixes letters
 * and digits ("X1 Carbon" → X1, "M8", "RTX-4090", "DS-2CD"). Years, dates, money and counts are digits
 * only or carry a unit, so they are not taken.
 */
const LABELLED = /(?:型号|规格|机型|料号|model(?:\s*(?:no\.?|number))?|part\s*(?:no\.?|number)|sku)\s*(?:是|为|:|：)?\s*([A-Za-z0-9][A-Za-z0-9._\-/]{0,23})/i;
const CODE = /(?<![A-Za-z0-9._\-])((?=[A-Za-z0-9\-]*\d)(?=[A-Za-z0-9\-]*[A-Za-z])[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*|\d+[A-Za-z]+\d[A-Za-z0-9\-]*)(?![A-Za-z0-9._\-])/g;
/** Letter+digit tokens that are not models: amounts with a magnitude, ordinals, paper sizes are kept (A4 is a model of paper). */
const NOT_MODEL = /^(?:\d+(?:k|w|m|mn|st|nd|rd|th|kg|km|pcs)|Q[1-4]|H[12]|FY\d+|PO\d*)$/i;

export interface ModelMention extends Span {
  value: string;
}

export function findModelMention(text: string): ModelMention | null {
  const labelled = LABELLED.exec(text);
  if (labelled?.[1]) {
    const start = labelled.index + labelled[0].length - labelled[1].length;
    return { start, end: start + labelled[1].length, value: labelled[1] };
  }
  for (const m of text.matchAll(CODE)) {
    const v = m[1] ?? '';
    if (!NOT_MODEL.test(v)) return { start: m.index, end: m.index + v.length, value: v };
  }
  return null;
}

export function findModel(text: string): string | null {
  return findModelMention(text)?.value ?? null;
}
