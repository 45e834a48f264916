/**
 * The HTTP side of the sign-in flows: one JSON call to Feishu or DingTalk with a deadline, and the one error type the
 * sign-in routes turn into a page. Nothing here retries: a person is waiting on the callback, and an authorization code
 * may be spent by a call whose answer was lost, so a failed sign-in is started again from the beginning.
 */

export type SignInPlatform = 'feishu' | 'dingtalk';

/**
 * Why a sign-in failed on the platform's side:
 * - `signin.unreachable`: no answer in time, or no connection (the platform or the network is down);
 * - `signin.refused`: the platform answered with an error (spent or expired code, wrong app secret…); `platformCode`
 *   carries its code for the page and the log;
 * - `signin.bad_response`: an answer without the fields its documentation promises.
 */
export class SignInFailure extends Error {
  constructor(
    readonly code: 'signin.unreachable' | 'signin.refused' | 'signin.bad_response',
    readonly platform: SignInPlatform,
    message: string,
    readonly platformCode?: string,
  ) {
    super(message);
    this.name = 'SignInFailure';
  }
}

/** Who the platform says signed in: ids as the directory may hold them (the first is the app's own id for the person). */
export interface PlatformPerson { platform: SignInPlatform; externalIds: string[]; name?: string }

/** An OAuth sign-in with one bot's app: where to send the browser, and who came back with a code. */
export interface OAuthClient {
  platform: SignInPlatform;
  authorizeUrl(redirectUri: string, state: string): string;
  identify(code: string, redirectUri: string): Promise<PlatformPerson>;
}

export interface CallDeps { fetch: typeof fetch; timeoutMs: number }

/** What a call answered: the HTTP status and the JSON body (an empty object when the body is not JSON). */
export interface JsonAnswer { status: number; body: Record<string, unknown> }

export async function callJson(
  d: CallDeps, platform: SignInPlatform, url: string, init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: unknown },
): Promise<JsonAnswer> {
  let res: Response;
  try {
    res = await d.fetch(url, {
      method: init.method,
      headers: { accept: 'application/json', ...(init.body !== undefined ? { 'content-type': 'application/json; charset=utf-8' } : {}), ...init.headers },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      signal: AbortSignal.timeout(d.timeoutMs),
      redirect: 'error',
    });
  } catch (e: unknown) {
    const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
    throw new SignInFailure('signin.unreachable', platform, `${init.method} ${pathOf(url)}: ${timedOut ? `no answer within ${d.timeoutMs} ms` : errorText(e)}`);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e: unknown) {
    throw new SignInFailure('signin.unreachable', platform, `${init.method} ${pathOf(url)}: the answer was cut off (${errorText(e)})`);
  }
  let body: unknown = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = {};
  }
  return { status: res.status, body: typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {} };
}

/** A string field of an answer, or undefined (wrong type, empty). */
export function str(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A nested object field of an answer ({} when absent). */
export function obj(body: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = body[key];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** The path of a URL for messages: the query may hold an access token. */
function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '(bad url)';
  }
}

function errorText(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    return cause instanceof Error ? `${e.message}: ${cause.message}` : e.message;
  }
  return String(e);
}
