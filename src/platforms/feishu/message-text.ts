/**
 * Plain text from a Feishu message `content` string (docs/platforms/feishu.md §2.1): text messages carry
 * `{"text": "..."}` with `@_user_N` mention placeholders; post (rich text) carries
 * `{"title", "content": [[{tag, text|user_id|href…}]]}` or a locale-keyed variant of it.
 */
export interface MentionKey {
  key: string;
  openId: string | undefined;
  name: string | undefined;
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function postBody(parsed: Record<string, unknown>): Record<string, unknown> | undefined {
  if (Array.isArray(parsed['content'])) return parsed;
  for (const locale of ['zh_cn', 'en_us', 'ja_jp', ...Object.keys(parsed)]) {
    const inner = asRecord(parsed[locale]);
    if (inner && Array.isArray(inner['content'])) return inner;
  }
  return undefined;
}

/** Received posts carry mention keys (`@_user_1`) in `at` nodes; others carry a raw open_id. */
function atNode(userId: unknown): string {
  if (typeof userId !== 'string') return '';
  return userId.startsWith('@_') ? userId : `@_user:${userId}`;
}

function postToText(parsed: Record<string, unknown>): string {
  const body = postBody(parsed);
  if (!body) return '';
  const lines: string[] = [];
  const title = typeof body['title'] === 'string' ? body['title'].trim() : '';
  if (title) lines.push(title);
  for (const para of body['content'] as unknown[]) {
    if (!Array.isArray(para)) continue;
    const parts: string[] = [];
    for (const node of para) {
      const n = asRecord(node);
      if (!n) continue;
      if (n['tag'] === 'at') parts.push(atNode(n['user_id']));
      else if (typeof n['text'] === 'string') parts.push(n['text']);
      else if (n['tag'] === 'code_block' && typeof n['text'] === 'string') parts.push(n['text']);
    }
    lines.push(parts.join(''));
  }
  return lines.join('\n');
}

/** Text of a text/post message, or undefined for types we do not read (images, files, …). */
export function contentToText(messageType: string, content: string): string | undefined {
  let parsed: unknown;
  try { parsed = JSON.parse(content); } catch { return undefined; }
  const rec = asRecord(parsed);
  if (!rec) return undefined;
  if (messageType === 'text') return typeof rec['text'] === 'string' ? rec['text'] : '';
  if (messageType === 'post') return postToText(rec);
  return undefined;
}

/**
 * Removes the bot's own mention and resolves other mention placeholders to `@name`.
 * Text messages use `@_user_N` keys; post `at` nodes were rendered as `@_user:<open_id>` above.
 */
export function resolveMentions(text: string, mentions: MentionKey[], botOpenId: string | undefined, botMentioned: (m: MentionKey) => boolean): string {
  let out = text;
  // Longest keys first: "@_user_1" must not eat the start of "@_user_10".
  for (const m of [...mentions].sort((a, b) => b.key.length - a.key.length)) {
    const replacement = botMentioned(m) ? '' : `@${m.name ?? ''}`;
    out = out.split(m.key).join(replacement);
    if (m.openId) out = out.split(`@_user:${m.openId}`).join(replacement);
  }
  if (botOpenId) out = out.split(`@_user:${botOpenId}`).join('');
  out = out.replace(/@_user:[A-Za-z0-9_]+/g, '').replace(/@_all/g, '');
  return out.replace(/[ \t]+/g, ' ').replace(/ *\n */g, '\n').trim();
}
