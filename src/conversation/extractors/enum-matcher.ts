import type { FieldDefinition } from '../../config/intent-schema.ts';

/**
 * Finds the enum option a text names: by value, zh/en label or a synonym from the catalog
 * (`options[].synonyms`, e.g. 打车 → transport). The longest phrase found wins, so 客户吃饭
 * (entertainment) beats 吃饭 (meal).
 */
export interface EnumMatch {
  value: string;
  start: number;
  end: number;
  exact: boolean;
}

function phrases(option: NonNullable<FieldDefinition['options']>[number]): string[] {
  return [option.value, option.value.replace(/_/g, ' '), option.label.zh, option.label.en, ...option.synonyms]
    .map((p) => p.trim().toLowerCase())
    .filter((p) => p.length > 0);
}

function isWordBoundary(text: string, start: number, end: number, phrase: string): boolean {
  if (!/^[a-z0-9]/.test(phrase)) return true;
  const before = text[start - 1] ?? ' ';
  const after = text[end] ?? ' ';
  return !/[a-z0-9]/.test(before) && !/[a-z0-9]/.test(after.replace(/s$/, ''));
}

export function matchEnumOption(field: FieldDefinition, text: string): EnumMatch | null {
  const lower = text.trim().toLowerCase();
  if (!field.options || lower === '') return null;
  let best: EnumMatch | null = null;
  let bestLen = 0;
  for (const option of field.options) {
    for (const p of phrases(option)) {
      if (lower === p) return { value: option.value, start: 0, end: text.length, exact: true };
      let from = lower.indexOf(p);
      while (from >= 0) {
        const end = from + p.length;
        if (p.length > bestLen && isWordBoundary(lower, from, end, p)) {
          best = { value: option.value, start: from, end, exact: false };
          bestLen = p.length;
        }
        from = lower.indexOf(p, from + 1);
      }
    }
  }
  return best;
}
