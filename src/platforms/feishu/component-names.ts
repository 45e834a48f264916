/**
 * Feishu component `name`s for our cards.
 *
 * Feishu card JSON 2.0 "Form container" (open.feishu.cn/document/feishu-cards/card-json-v2-components/containers/form-container):
 * every component inside a form needs a `name` that is unique within the whole card, or the form does not
 * submit; the form container's own `name` is card-unique too. A click in a form comes back as `action.name` +
 * `action.form_value` (card callback "卡片回传交互", open.feishu.cn/document/uAjLw4CM/ukzMukzMukzM/feishu-cards/card-callback-communication),
 * so a button's name alone must say what it does.
 *
 * Feishu documents no character set for `name`; the one identifier format it documents for components is
 * `element_id` (starts with a letter; letters, digits and underscores). Our names keep to that charset:
 * - inputs keep their field names (snake_case, lowercase: `comment`, `transfer_to`, intent fields), because
 *   `form_value` is keyed by them;
 * - buttons are `Act_` + the actionId, forms `Form_<n>`: they start with a capital, so they never equal an
 *   input name. A character outside [a-z0-9_] in an actionId (the `.` of `dialog.submit`) is written as
 *   `X` + four hex digits (`Act_dialogX002Esubmit`), which reverses exactly because actionIds hold no capitals.
 */
const BUTTON_PREFIX = 'Act_';

export function buttonName(actionId: string): string {
  let out = BUTTON_PREFIX;
  for (const ch of actionId) {
    out += /[a-z0-9_]/.test(ch) ? ch : `X${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return out;
}

/** The actionId a button name was made from, or undefined for a name that is not one of our buttons. */
export function actionIdOfName(name: string): string | undefined {
  if (!name.startsWith(BUTTON_PREFIX)) return undefined;
  const body = name.slice(BUTTON_PREFIX.length);
  if (!/^(?:[a-z0-9_]|X[0-9A-F]{4})+$/.test(body)) return undefined;
  return body.replace(/X([0-9A-F]{4})/g, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)));
}

export function formName(index: number): string {
  return `Form_${index}`;
}
