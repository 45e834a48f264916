/**
 * Why an LLM turn fell back to the offline resolver, in a few stable words for the logs and the
 * llm_fallbacks_total metric. The OpenAI SDK's errors carry the HTTP status (401 wrong key, 403 no
 * access, 404 unknown model or path, 429 rate limit or quota, 5xx the provider) or are named for a
 * timeout or a connection failure; anything we refused in the reply itself is a bad reply.
 */
export type FallbackReason = 'auth' | 'forbidden' | 'not_found' | 'rate_limited' | 'server_error' | 'bad_request' | 'timeout' | 'network' | 'bad_reply';

export function fallbackReason(e: unknown): FallbackReason {
  const err = e as { status?: unknown; name?: unknown; constructor?: { name?: string } } | null;
  const status = typeof err?.status === 'number' ? err.status : undefined;
  if (status === 401) return 'auth';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status !== undefined && status >= 500) return 'server_error';
  if (status !== undefined && status >= 400) return 'bad_request';
  const name = `${typeof err?.name === 'string' ? err.name : ''} ${err?.constructor?.name ?? ''}`;
  if (/Timeout/i.test(name)) return 'timeout';
  if (/Connection|Abort|Fetch/i.test(name)) return 'network';
  return 'bad_reply';
}
