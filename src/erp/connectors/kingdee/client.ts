import type { Clock } from '../../../core/clock.ts';
import { CookieJar, loginRequest, readLoginResult, type KingdeeIdentity } from './auth.ts';
import {
  authFailed, fromFetchFailure, fromStatus, isLocked, isSessionLost, messages, resultUnknown, rpcError, statusOf, unavailable,
  type K3Status,
} from './client-errors.ts';

/**
 * The K3 Cloud WebAPI wire protocol: `POST {base}/<Service>.common.kdsvc`, JSON bodies with named parameters
 * (`{"formid","data"}`, `{"data"}` for queries: https://github.com/kingdee-nodejs/k3cloud/blob/HEAD/src/K3CloudApiSdk.js;
 * service names as in Kingdee's SDK: https://github.com/leoluonet/k3cloud-webapi-sdk/blob/HEAD/src/main/java/com/kingdee/bos/webapi/sdk/K3CloudApi.java).
 *
 * - Sessions: logs in on demand (auth.ts), keeps the cookies, shares one login between concurrent callers.
 * - Session lost (MsgCode 1, "会话信息已丢失，请重新登录": a call without a live context, which K3 answers before the
 *   operation runs) → logs in again once and repeats that call; a session refused right after a fresh login is erp.auth.
 *   The repeat is never the way the session is re-established (the login is), so a write is not replayed blindly.
 * - Locked (MsgCode 13 网控冲突, "正在被其他用户修改"): the operation was refused, not applied; retried with doubling
 *   backoff up to `lockRetry.attempts` calls in all, then erp.unavailable.
 * - Every call has a timeout. A write (Save, Submit, Audit, UnAudit, CancelAssign, Delete) without an answer is
 *   erp.result_unknown: the caller looks the bill up by its key before anything is sent again.
 */
export const SERVICES = {
  save: 'Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.Save',
  submit: 'Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.Submit',
  audit: 'Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.Audit',
  unAudit: 'Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.UnAudit',
  cancelAssign: 'Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.CancelAssign',
  delete: 'Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.Delete',
  view: 'Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.View',
  query: 'Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.ExecuteBillQuery',
} as const;

export type Operation = 'submit' | 'audit' | 'unAudit' | 'cancelAssign' | 'delete';

export interface KingdeeClientOptions extends KingdeeIdentity {
  /** The site root, e.g. `http://erp.example.com/K3Cloud` (services are appended to it). */
  baseUrl: string;
  login: 'sign' | 'app_secret';
  timeoutMs: number;
  clock: Clock;
  lockRetry: { attempts: number; backoffMs: number };
  fetch?: typeof fetch;
  /** Waits between lock retries (tests pass one that records instead of sleeping). */
  sleep?: (ms: number) => Promise<void>;
}

export interface BillQuery {
  formId: string;
  fieldKeys: string[];
  filter: string;
  order?: string;
  startRow?: number;
  limit?: number;
}

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class KingdeeClient {
  private readonly jar = new CookieJar();
  private sessionId: string | null = null;
  private loggingIn: Promise<void> | null = null;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly base: string;

  constructor(private readonly o: KingdeeClientOptions) {
    this.fetchImpl = o.fetch ?? fetch;
    this.sleep = o.sleep ?? wait;
    this.base = o.baseUrl.replace(/\/+$/, '');
  }

  get hasSession(): boolean { return this.sessionId !== null; }

  /** Logs in now (calls log in on demand); concurrent callers share one login. */
  login(): Promise<void> {
    this.loggingIn ??= this.freshLogin().finally(() => { this.loggingIn = null; });
    return this.loggingIn;
  }

  /** Forgets the session (the server keeps it until it times out). */
  dropSession(): void {
    this.sessionId = null;
    this.jar.clear();
  }

  /** Save: the K3 status (refusals included: the caller maps them) and the new bill's id and number. */
  async save(formId: string, model: Record<string, unknown>, needReturnFields: string[] = ['FBillNo']): Promise<{ status: K3Status; id: string; number: string }> {
    const data = { NeedUpDateFields: [], NeedReturnFields: needReturnFields, IsDeleteEntry: true, IsVerifyBaseDataField: true, ValidateFlag: true, NumberSearch: true, IsAutoSubmitAndAudit: false, Model: model };
    const body = await this.call(SERVICES.save, { formid: formId, data }, true);
    const status = this.status(SERVICES.save, body, true);
    const result = ((body as { Result?: Record<string, unknown> }).Result ?? {});
    const first = status.successEntities[0];
    return { status, id: String(result.Id ?? first?.id ?? ''), number: String(result.Number ?? first?.number ?? '') };
  }

  /**
   * Save that changes only `fields` of an existing bill: the model carries the bill's FID and NeedUpDateFields names
   * the fields; IsDeleteEntry false keeps its lines (true, the default, drops the lines the model does not carry).
   * Source: SaveRequest.java of https://github.com/Xueyu334/kingdee-k3cloud-open-api ("更新字段时Model数据包中必须设置内码").
   */
  async saveFields(formId: string, id: string, values: Record<string, unknown>): Promise<K3Status> {
    const data = { NeedUpDateFields: Object.keys(values), NeedReturnFields: ['FBillNo'], IsDeleteEntry: false, IsVerifyBaseDataField: true, ValidateFlag: true, NumberSearch: true, IsAutoSubmitAndAudit: false, Model: { FID: Number(id), ...values } };
    const body = await this.call(SERVICES.save, { formid: formId, data }, true);
    return this.status(SERVICES.save, body, true);
  }

  /** Submit / Audit / UnAudit / CancelAssign / Delete by id: the K3 status (a refusal is returned, not thrown). */
  async operate(op: Operation, formId: string, ids: string[]): Promise<K3Status> {
    const data: Record<string, unknown> = { CreateOrgId: 0, Numbers: [], Ids: ids.join(','), NetworkCtrl: '' };
    if (op === 'audit' || op === 'unAudit') Object.assign(data, { InterationFlags: '', IgnoreInterationFlag: true, IsVerifyProcInst: true });
    const body = await this.call(SERVICES[op], { formid: formId, data }, true);
    return this.status(SERVICES[op], body, true);
  }

  /** View one bill by id: the model (K3's View keys, without the F prefix); erp.not_found when there is none. */
  async view(formId: string, id: string): Promise<Record<string, unknown>> {
    const body = await this.call(SERVICES.view, { formid: formId, data: { CreateOrgId: 0, Number: '', Id: id, IsSortBySeq: false } }, false);
    const status = this.status(SERVICES.view, body, false);
    if (!status.isSuccess) throw fromStatus(SERVICES.view, status);
    const model = (body as { Result?: { Result?: unknown } }).Result?.Result;
    if (!model || typeof model !== 'object') throw rpcError(SERVICES.view, 'View answered without a model');
    return model as Record<string, unknown>;
  }

  /** ExecuteBillQuery: one array per row, columns in `fieldKeys` order. */
  async query(q: BillQuery): Promise<unknown[][]> {
    const data = { FormId: q.formId, FieldKeys: q.fieldKeys.join(','), FilterString: q.filter, OrderString: q.order ?? '', TopRowCount: 0, StartRow: q.startRow ?? 0, Limit: q.limit ?? 2000, SubSystemId: '' };
    const body = await this.call(SERVICES.query, { data }, false);
    const status = statusOf(body);
    if (status && !status.isSuccess) throw fromStatus(SERVICES.query, status);
    if (!Array.isArray(body)) throw rpcError(SERVICES.query, 'ExecuteBillQuery did not answer rows');
    return body.filter((r): r is unknown[] => Array.isArray(r) && r.length === q.fieldKeys.length);
  }

  /** The status of an answer; a missing one is a malformed answer (result unknown for a write). */
  private status(service: string, body: unknown, write: boolean): K3Status {
    const status = statusOf(body);
    if (status) return status;
    if (write) throw resultUnknown(service, 'the answer has no ResponseStatus');
    throw rpcError(service, 'the answer has no ResponseStatus');
  }

  /** One authenticated call with the session and lock handling described above. */
  private async call(service: string, body: unknown, write: boolean): Promise<unknown> {
    let relogged = false;
    for (let lockTry = 1; ;) {
      if (!this.sessionId) await this.login();
      const sent = this.sessionId;
      const answer = await this.post(service, body, write, true);
      const status = statusOf(answer);
      // A View without a valid session may answer an empty object and no error: that is a lost session too.
      const lost = isSessionLost(status) || (service === SERVICES.view && !status && isEmptyObject(answer));
      if (lost) {
        if (relogged) throw authFailed(service, 'K3 refused a session it had just opened');
        if (this.sessionId === sent) this.dropSession();
        relogged = true;
        continue;
      }
      if (isLocked(status)) {
        if (lockTry >= this.o.lockRetry.attempts) {
          throw unavailable(service, `locked by another user after ${lockTry} attempts: ${status ? messages(status) : ''}`, { details: { reason: 'locked' } });
        }
        await this.sleep(this.o.lockRetry.backoffMs * 2 ** (lockTry - 1));
        lockTry++;
        continue;
      }
      return answer;
    }
  }

  private async freshLogin(): Promise<void> {
    const { service, body } = loginRequest(this.o.login, this.o, Math.floor(this.o.clock.now().getTime() / 1000));
    this.dropSession();
    const answer = await this.post(service, body, false, false);
    const result = readLoginResult(answer);
    if (!result.ok) throw authFailed(service, result.message, { loginResultType: result.loginResultType, acctId: this.o.acctId, username: this.o.username });
    this.sessionId = result.kdsvcSessionId;
  }

  private async post(service: string, body: unknown, write: boolean, withSession: boolean): Promise<unknown> {
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', accept: 'application/json' };
    if (withSession && this.sessionId) {
      headers.cookie = this.jar.header();
      headers['kdservice-sessionid'] = this.sessionId;
    }
    let res: Response;
    let text: string;
    try {
      res = await this.fetchImpl(`${this.base}/${service}.common.kdsvc`, {
        method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(this.o.timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      throw fromFetchFailure(service, e, this.o.timeoutMs, write);
    }
    this.jar.absorb(res.headers);
    if (res.status === 404) throw unavailable(service, 'HTTP 404 (no K3 Cloud WebAPI at this address)', { details: { status: 404 } });
    if (res.status >= 500) throw write ? resultUnknown(service, `HTTP ${res.status}`) : unavailable(service, `HTTP ${res.status}`, { details: { status: res.status } });
    if (res.status !== 200) throw rpcError(service, `HTTP ${res.status}`, { status: res.status });
    try {
      return JSON.parse(text);
    } catch {
      if (write) throw resultUnknown(service, 'the answer is not JSON');
      throw rpcError(service, 'the answer is not JSON');
    }
  }
}

function isEmptyObject(v: unknown): boolean {
  return !!v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;
}
