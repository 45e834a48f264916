import type { Locale } from '../core/locale.ts';
import { en } from './en.ts';
import { zh } from './zh.ts';

/** A key of the catalogs: typed from en.ts, so a misspelt key does not compile. */
export type MessageKey = keyof typeof en;
/** A catalog: one text per key. */
export type Catalog = { readonly [K in MessageKey]: string };
/** One text per locale (an intent name from the YAML, a refusal carried to whoever shows it). */
export type Localized = { [L in Locale]: string };

/** The `{name}` placeholders of a text, as a union of names. */
type Placeholders<S extends string> = S extends `${string}{${infer P}}${infer Rest}` ? P | Placeholders<Rest> : never;
export type ParamsOf<K extends MessageKey> = Placeholders<(typeof en)[K]>;
/** A placeholder's value: the same in every language, or one per language (an intent's name). */
export type Param = string | number | Localized;
/** The params argument of a key: required with exactly its placeholders when it has some, absent otherwise. */
export type ArgsOf<K extends MessageKey> = [ParamsOf<K>] extends [never] ? [] : [params: Record<ParamsOf<K>, Param>];

/** A key whose text has no placeholders: a fixed label or toast. */
export type PlainKey = { [K in MessageKey]: [ParamsOf<K>] extends [never] ? K : never }[MessageKey];

export const CATALOGS: Record<Locale, Catalog> = { zh, en };

const PLACEHOLDER = /\{(\w+)\}/g;

/** The text of `key` in `locale` with its `{name}` placeholders filled from `params`. */
export function t<K extends MessageKey>(locale: Locale, key: K, ...args: ArgsOf<K>): string {
  const text = CATALOGS[locale][key];
  const params = args[0] as Record<string, Param> | undefined;
  if (!params) return text;
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const v = params[name];
    return v === undefined ? whole : typeof v === 'object' ? v[locale] : String(v);
  });
}

/** The text of `key` in every locale: for a refusal or a reply that is shown later, in a language chosen then. */
export function localized<K extends MessageKey>(key: K, ...args: ArgsOf<K>): Localized {
  return { zh: t('zh', key, ...args), en: t('en', key, ...args) };
}

/** The placeholder names of a text, sorted (the catalog test compares them across locales). */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))].sort();
}
