import { ExternalServiceError } from '../../../core/errors.ts';

/**
 * K3 Cloud answers (HTTP 200 with a JSON body for refusals too) and how they become the port's errors.
 *
 * Shapes (Kingdee's official Java SDK RepoStatus / RepoError / SuccessEntity,
 * https://github.com/leoluonet/k3cloud-webapi-sdk/tree/HEAD/src/main/java/com/kingdee/bos/webapi/sdk, and the
 * typed DTOs https://github.com/Xueyu334/kingdee-k3cloud-open-api/blob/HEAD/src/main/java/com/kingdee/bos/webapi/domain/dto/response/status/ResponseStatus.java):
 * - Save / Submit / Audit / UnAudit / Delete / View: `{"Result":{"ResponseStatus":{"ErrorCode","IsSuccess","Errors":[{"FieldName","Message","DIndex"}],
 *   "SuccessEntitys":[{"Id","Number","DIndex"}],"MsgCode"}, …}}`;
 * - ExecuteBillQuery: rows as arrays, or the same status wrapped as `[[{"Result":{"ResponseStatus":…}}]]`
 *   (the SDK's loadErrorMsg unwraps it: K3CloudApi.java / WebApiClient.java above).
 * - `IsSuccess` is sometimes the string "True"/"false": normalised here.
 * - MsgCode (ResponseStatus.java above): 0 default, 1 context lost (session), 2 no permission, 3 operation id empty,
 *   4 exception, 5 form id empty, 6 database failure, 7 licence, 8 bad parameter, 9 field/value not found, 10 data not
 *   found, 11 validation failed, 12 operation not allowed, 13 network-control (lock) conflict, 14 call limit, 15 admin login forbidden.
 */
export const KINGDEE_SERVICE = 'kingdee';

export interface K3Error { fieldName: string | null; message: string }
export interface K3Status {
  isSuccess: boolean;
  msgCode: number;
  errors: K3Error[];
  successEntities: { id: string; number: string }[];
}

/** "会话信息已丢失，请重新登录" (MsgCode 1): the marker integrations match, https://github.com/adamzhang1987/kingdee-k3cloud-mcp/blob/HEAD/docs/session-auth-review.md (S8: match more than the Chinese text). */
const SESSION_LOST = /会话信息已丢失|上下文丢失|context.*lost|session.*(lost|expired)/i;
/** 网控冲突 texts: "…业务操作…冲突，请稍候再使用", "…正在被其他用户修改…" (lock conflicts are transient). */
const LOCKED = /网控|正在被.{0,20}(修改|使用|操作|锁定)|冲突，请稍候/;

function asBool(v: unknown): boolean {
  return v === true || (typeof v === 'string' && v.toLowerCase() === 'true');
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));

/** Reads a ResponseStatus object (null when `v` is not one). */
export function readStatus(v: unknown): K3Status | null {
  if (!v || typeof v !== 'object') return null;
  const s = v as Record<string, unknown>;
  if (!('IsSuccess' in s) && !('MsgCode' in s) && !('Errors' in s)) return null;
  const errors = Array.isArray(s.Errors) ? s.Errors.map((e) => {
    const o = (e && typeof e === 'object' ? e : { Message: e }) as Record<string, unknown>;
    return { fieldName: o.FieldName ? str(o.FieldName) : null, message: str(o.Message) };
  }) : [];
  const successEntities = Array.isArray(s.SuccessEntitys) ? s.SuccessEntitys.map((e) => {
    const o = (e ?? {}) as Record<string, unknown>;
    return { id: str(o.Id), number: str(o.Number) };
  }) : [];
  return { isSuccess: asBool(s.IsSuccess), msgCode: Number(s.MsgCode ?? 0) || 0, errors, successEntities };
}

/** The ResponseStatus of any answer: `{Result:{ResponseStatus}}`, or nested in arrays (ExecuteBillQuery errors). */
export function statusOf(body: unknown): K3Status | null {
  let v = body;
  while (Array.isArray(v) && v.length === 1) v = v[0];
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const result = (v as Record<string, unknown>).Result;
  if (!result || typeof result !== 'object') return null;
  return readStatus((result as Record<string, unknown>).ResponseStatus);
}

export function messages(s: K3Status): string {
  return s.errors.map((e) => e.message || e.fieldName || '').filter(Boolean).join('; ') || `K3 refused the call (MsgCode ${s.msgCode})`;
}

/** MsgCode 1, or the text "会话信息已丢失，请重新登录": log in again (the call did not run without a context). */
export function isSessionLost(s: K3Status | null): boolean {
  return !!s && !s.isSuccess && (s.msgCode === 1 || s.errors.some((e) => SESSION_LOST.test(e.message)));
}

/** MsgCode 13 (网控冲突) or a "being modified by another user" text: retried with backoff. */
export function isLocked(s: K3Status | null): boolean {
  return !!s && !s.isSuccess && (s.msgCode === 13 || s.errors.some((e) => LOCKED.test(e.message)));
}

export function unavailable(service: string, why: string, opts: { cause?: unknown; details?: Record<string, unknown> } = {}): ExternalServiceError {
  return new ExternalServiceError(KINGDEE_SERVICE, 'erp.unavailable', `Kingdee K3 Cloud unavailable (${short(service)}): ${why}`, {
    retryable: true, cause: opts.cause, details: { service: short(service), ...opts.details },
  });
}

export function resultUnknown(service: string, why: string, cause?: unknown): ExternalServiceError {
  return new ExternalServiceError(KINGDEE_SERVICE, 'erp.result_unknown', `Kingdee K3 Cloud: no answer to ${short(service)} (${why}); it may have been applied`, {
    retryable: true, cause, details: { service: short(service) },
  });
}

export function authFailed(service: string, why: string, details: Record<string, unknown> = {}): ExternalServiceError {
  return new ExternalServiceError(KINGDEE_SERVICE, 'erp.auth', `Kingdee K3 Cloud authentication failed (${short(service)}): ${why}`, {
    retryable: false, httpStatus: 502, details: { service: short(service), ...details },
  });
}

export function rpcError(service: string, why: string, details: Record<string, unknown> = {}): ExternalServiceError {
  return new ExternalServiceError(KINGDEE_SERVICE, 'erp.rpc_error', `Kingdee K3 Cloud call failed (${short(service)}): ${why}`, {
    retryable: false, details: { service: short(service), ...details },
  });
}

/** A refusal (IsSuccess false) as the port's error; `message` is K3's own text. */
export function fromStatus(service: string, s: K3Status): ExternalServiceError {
  const details = { service: short(service), msgCode: s.msgCode, errors: s.errors };
  const text = messages(s);
  switch (s.msgCode) {
    case 2: case 7: case 15:
      return authFailed(service, text, { msgCode: s.msgCode, errors: s.errors });
    case 6: case 14:
      return unavailable(service, text, { details: { msgCode: s.msgCode } });
    case 10:
      return new ExternalServiceError(KINGDEE_SERVICE, 'erp.not_found', text, { retryable: false, httpStatus: 404, details });
    case 12:
      return new ExternalServiceError(KINGDEE_SERVICE, 'erp.not_allowed_in_state', text, { retryable: false, httpStatus: 409, details });
    case 3: case 4: case 5:
      return rpcError(service, text, { msgCode: s.msgCode, errors: s.errors });
    default:
      // 8 bad parameter, 9 field/value not found, 11 validation failed, and anything else K3 refused with its own words.
      return new ExternalServiceError(KINGDEE_SERVICE, 'erp.validation', text, { retryable: false, httpStatus: 422, details });
  }
}

/** The service's last segment (`DynamicFormService.Save`) for messages. */
function short(service: string): string {
  return service.split('.').slice(-2).join('.');
}

/** A failed fetch. Writes that may have reached K3 are "result unknown"; a refused connection never did. */
export function fromFetchFailure(service: string, e: unknown, timeoutMs: number, write: boolean): ExternalServiceError {
  const name = e instanceof Error ? e.name : '';
  const cause = e instanceof Error ? (e.cause as { code?: string; message?: string } | undefined) : undefined;
  const code = cause?.code ?? '';
  const notSent = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code);
  const why = name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : code || cause?.message || (e instanceof Error ? e.message : String(e));
  if (write && !notSent) return resultUnknown(service, why, e);
  return unavailable(service, why, { cause: e, details: { reason: name === 'TimeoutError' ? 'timeout' : 'network' } });
}
