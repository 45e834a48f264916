import { createHash } from 'node:crypto';

/**
 * K3 Cloud session login (AuthService). Every call is `POST {base}/<Service>.common.kdsvc` with JSON.
 *
 * - LoginBySign (what Kingdee recommends over ValidateUser and LoginByAppSecret): positional
 *   `{"parameters":[acctId, username, appId, timestamp, sign, lcid]}` with `timestamp` in seconds and
 *   `sign = hex(SHA-256(join(sort([acctId, username, appId, appSecret, timestamp]))))`, strings sorted by ordinal order
 *   and joined without a separator. Source: https://github.com/Xueyu334/kingdee-k3cloud-open-api/blob/HEAD/src/main/java/com/kingdee/bos/webapi/common/utils/WebApiHttpHelper.java
 *   (buildLoginBySignParams / generateSign); builds before 8.0.0.202205 hash with SHA-1 instead.
 * - LoginByAppSecret: named `{"acctid","username","appid","appsecret","lcid"}`. Source: https://github.com/kingdee-nodejs/k3cloud/blob/HEAD/src/K3CloudApiSdk.js (loginForSecret).
 * - The answer: `{"Message","MessageCode","LoginResultType":1,"Context":{…,"SessionId"},"KDSVCSessionId","IsSuccessByAPI"}`;
 *   success is LoginResultType 1 with a KDSVCSessionId (LoginResult.isLoginSuccess,
 *   https://github.com/Xueyu334/kingdee-k3cloud-open-api/blob/HEAD/src/main/java/com/kingdee/bos/webapi/domain/dto/response/result/LoginResult.java).
 *   Any other LoginResultType is a refusal whose `Message` says why.
 * - The session is the cookies the login sets (`kdservice-sessionid`, `ASP.NET_SessionId`), sent back as `Cookie` on
 *   every call; the KDSVCSessionId also goes in a `kdservice-sessionid` header, as that SDK's request interceptor does.
 */
export const AUTH_SERVICES = {
  loginBySign: 'Kingdee.BOS.WebApi.ServicesStub.AuthService.LoginBySign',
  loginByAppSecret: 'Kingdee.BOS.WebApi.ServicesStub.AuthService.LoginByAppSecret',
} as const;

export interface KingdeeIdentity {
  acctId: string;
  username: string;
  appId: string;
  appSecret: string;
  lcid: number;
}

/** The LoginBySign signature over the five values (ordinal sort: JavaScript's default sort on strings compares UTF-16 units, as Java's String.compareTo does). */
export function loginSignature(id: KingdeeIdentity, timestamp: string): string {
  const parts = [id.acctId, id.username, id.appId, id.appSecret, timestamp].sort();
  return createHash('sha256').update(parts.join(''), 'utf8').digest('hex');
}

/** Service and body of a login in the given mode; `nowSeconds` from the injected clock. */
export function loginRequest(mode: 'sign' | 'app_secret', id: KingdeeIdentity, nowSeconds: number): { service: string; body: unknown } {
  if (mode === 'app_secret') {
    return { service: AUTH_SERVICES.loginByAppSecret, body: { acctid: id.acctId, username: id.username, appid: id.appId, appsecret: id.appSecret, lcid: id.lcid } };
  }
  const ts = String(nowSeconds);
  return { service: AUTH_SERVICES.loginBySign, body: { parameters: [id.acctId, id.username, id.appId, ts, loginSignature(id, ts), id.lcid] } };
}

export interface LoginOutcome { ok: true; kdsvcSessionId: string }
export interface LoginRefusal { ok: false; message: string; loginResultType: unknown }

export function readLoginResult(body: unknown): LoginOutcome | LoginRefusal {
  const o = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const sid = typeof o.KDSVCSessionId === 'string' ? o.KDSVCSessionId : '';
  if (Number(o.LoginResultType) === 1 && sid) return { ok: true, kdsvcSessionId: sid };
  const message = typeof o.Message === 'string' && o.Message ? o.Message : 'K3 did not open a session';
  return { ok: false, message, loginResultType: o.LoginResultType ?? null };
}

/** A cookie jar: name → value from Set-Cookie headers; later values replace earlier ones. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  absorb(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const pair = line.split(';', 1)[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }

  clear(): void { this.cookies.clear(); }
  get size(): number { return this.cookies.size; }
  header(): string { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '); }
}
