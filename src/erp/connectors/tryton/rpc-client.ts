import { authFailed, fromFault, fromFetchFailure, fromHttpStatus, rpcError } from './rpc-errors.ts';
import { reviveTryton } from './rpc-codec.ts';

/**
 * JSON-RPC client for Tryton 6.0 (trytond's own protocol: https://docs.tryton.org/projects/server/en/6.0/topics/rpc.html).
 *
 * - `common.db.login [login, {password}, language]` answers `[userId, sessionKey]`; later calls carry
 *   `Authorization: Session base64("<login>:<userId>:<sessionKey>")`.
 * - The server does not add the user's preferences to a call: the client sends the context as the last parameter
 *   of every `model.<name>.<method>` call. It is read once per login from `model.res.user.get_preferences`, and its
 *   `company` decides the company of what is created (defaults such as invoice company and currency come from it).
 * - A session Tryton no longer knows (expired after `[session] max_age`, removed by a logout) is HTTP 401, answered
 *   before the method runs; the client logs in again once and repeats the call. That repeat is safe even for
 *   `create`, because a 401 means the method never ran.
 * - Every request has a timeout (AbortSignal). A timeout leaves it unknown whether a write was applied: the caller
 *   looks the document up by its external key before creating it again.
 * - A workflow button called from a state that does not allow it is a silent no-op on Tryton's side; callers
 *   re-read `state` after a button.
 *
 * Errors are ExternalServiceError with the codes described in rpc-errors.ts.
 */
export interface TrytonRpcOptions {
  /** Server root, e.g. `http://127.0.0.1:8000`. */
  url: string;
  database: string;
  login: string;
  password: string;
  /** Language code sent at login (default `en`). */
  language?: string;
  /** Company id to work in; default: the user's current company from its preferences. */
  company?: number;
  /** Per-request timeout (default 15 s). */
  timeoutMs?: number;
  /** Another fetch (e.g. one that records requests); default: the global one. */
  fetch?: typeof fetch;
}

/** The context sent with every model call: the user's preferences with the company to work in. */
export type TrytonContext = Record<string, unknown> & { company: number };

export interface TrytonSession { readonly userId: number; readonly key: string }

export interface SearchOptions { offset?: number; limit?: number | null; order?: [string, 'ASC' | 'DESC'][] | null }

type Domain = unknown[];

/** A wizard step's answer, in Tryton's typed JSON: a form to fill (`view`) or `{}` when the wizard ended. */
export interface WizardAnswer { view?: { state?: string; defaults?: Record<string, unknown> } & Record<string, unknown>; actions?: unknown[] }
export type WizardStep = (state: string, data: Record<string, unknown>) => Promise<WizardAnswer>;

const DEFAULT_TIMEOUT_MS = 15_000;

export class TrytonRpcClient {
  private readonly endpoint: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private session: TrytonSession | null = null;
  private ctx: TrytonContext | null = null;
  private loggingIn: Promise<TrytonContext> | null = null;
  private requestId = 0;

  constructor(private readonly o: TrytonRpcOptions) {
    this.endpoint = `${o.url.replace(/\/+$/, '')}/${encodeURIComponent(o.database)}/`;
    this.timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetchImpl = o.fetch ?? fetch;
  }

  /** The current session, or null before the first login and after a logout. */
  get currentSession(): TrytonSession | null { return this.session; }

  /** The context of the current session (null before the first login). */
  get context(): TrytonContext | null { return this.ctx; }

  /** Logs in now (calls log in on demand; this surfaces bad credentials early). Concurrent callers share one login. */
  login(): Promise<TrytonContext> {
    this.loggingIn ??= this.freshLogin().finally(() => { this.loggingIn = null; });
    return this.loggingIn;
  }

  /** Ends the session on the server (best effort: a session Tryton already dropped is not an error). */
  async logout(): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.session = null;
    this.ctx = null;
    const res = await this.post('common.db.logout', [], this.authHeader(session));
    if (res.status !== 401) this.unwrap('common.db.logout', res);
  }

  /** `model.<model>.<method>(...args, context)`: the result with Tryton's typed values revived (rpc-codec.ts). */
  async model<T = unknown>(model: string, method: string, args: unknown[] = [], context: Record<string, unknown> = {}): Promise<T> {
    return reviveTryton(await this.call(`model.${model}.${method}`, (ctx) => [...args, { ...ctx, ...context }])) as T;
  }

  create(model: string, values: Record<string, unknown>[], context?: Record<string, unknown>): Promise<number[]> {
    return this.model<number[]>(model, 'create', [values], context);
  }

  read<T = Record<string, unknown>>(model: string, ids: number[], fields: string[], context?: Record<string, unknown>): Promise<T[]> {
    return this.model<T[]>(model, 'read', [ids, fields], context);
  }

  async write(model: string, ids: number[], values: Record<string, unknown>, context?: Record<string, unknown>): Promise<void> {
    await this.model(model, 'write', [ids, values], context);
  }

  search(model: string, domain: Domain, opts: SearchOptions = {}, context?: Record<string, unknown>): Promise<number[]> {
    return this.model<number[]>(model, 'search', [domain, opts.offset ?? 0, opts.limit ?? null, opts.order ?? null], context);
  }

  searchRead<T = Record<string, unknown>>(model: string, domain: Domain, fields: string[], opts: SearchOptions = {}, context?: Record<string, unknown>): Promise<T[]> {
    return this.model<T[]>(model, 'search_read', [domain, opts.offset ?? 0, opts.limit ?? null, opts.order ?? null, fields], context);
  }

  /** A workflow button (`validate_invoice`, `post`, …). Tryton ignores a button the record's state does not allow: re-read the state. */
  async button(model: string, name: string, ids: number[], context?: Record<string, unknown>): Promise<void> {
    await this.model(model, name, [ids], context);
  }

  /**
   * Runs a wizard on records as the Tryton client does: `wizard.<name>.create [ctx]` → `[sessionId, startState, endState]`,
   * then `wizard.<name>.execute [sessionId, data, state, ctx]` for each step `run` takes (data: `{<form state>: {field: value}}`;
   * an answer is `{view: {defaults, state, …}}` for a form, `{}` at the end), then `wizard.<name>.delete [sessionId, ctx]`.
   * Step answers are left in Tryton's typed form, so a form's defaults can be sent back as they are.
   * The context names the records (`active_model`, `active_id`, `active_ids`).
   */
  async wizard<T>(name: string, activeModel: string, ids: number[], run: (step: WizardStep) => Promise<T>): Promise<T> {
    const active = { active_model: activeModel, active_id: ids[0] ?? null, active_ids: ids };
    const created = await this.call(`wizard.${name}.create`, (ctx) => [{ ...ctx, ...active }]);
    const sessionId = Array.isArray(created) ? created[0] : undefined;
    if (typeof sessionId !== 'number') throw rpcError(`wizard.${name}.create`, 'Tryton did not open a wizard session');
    const end = () => this.call(`wizard.${name}.delete`, (ctx) => [sessionId, { ...ctx, ...active }]);
    let result: T;
    try {
      result = await run(async (state, data) => (await this.call(`wizard.${name}.execute`, (ctx) => [sessionId, data, state, { ...ctx, ...active }])) as WizardAnswer);
    } catch (e) {
      await end().catch(() => undefined); // the step's error is the one to report
      throw e;
    }
    await end();
    return result;
  }

  /** An authenticated call; `params` is built from the context of the session it is sent with. */
  private async call(method: string, params: (ctx: TrytonContext) => unknown[]): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      const ctx = this.session && this.ctx ? this.ctx : await this.login();
      const session = this.session;
      if (!session) throw authFailed(method, 'no session after login');
      const res = await this.post(method, params(ctx), this.authHeader(session));
      if (res.status !== 401) return this.unwrap(method, res);
      // Tryton no longer knows this session (expired or logged out): drop it unless a newer one replaced it, log in once more.
      if (this.session === session) { this.session = null; this.ctx = null; }
      if (attempt >= 2) throw authFailed(method, 'Tryton rejected a session it had just opened (HTTP 401)', { status: 401 });
    }
  }

  private async freshLogin(): Promise<TrytonContext> {
    const method = 'common.db.login';
    const res = await this.post(method, [this.o.login, { password: this.o.password }, this.o.language ?? 'en'], null);
    if (res.status === 401) throw authFailed(method, `wrong login or password for "${this.o.login}"`, { status: 401 });
    const result = this.unwrap(method, res);
    if (!Array.isArray(result) || typeof result[0] !== 'number' || typeof result[1] !== 'string') {
      throw authFailed(method, `Tryton did not open a session for "${this.o.login}"`);
    }
    const session: TrytonSession = { userId: result[0], key: result[1] };
    const prefsRes = await this.post('model.res.user.get_preferences', [true, {}], this.authHeader(session));
    if (prefsRes.status === 401) throw authFailed('model.res.user.get_preferences', 'Tryton rejected the new session', { status: 401 });
    const prefs = this.unwrap('model.res.user.get_preferences', prefsRes);
    if (prefs === null || typeof prefs !== 'object' || Array.isArray(prefs)) throw rpcError('model.res.user.get_preferences', 'preferences are not an object');
    const company = this.o.company ?? (prefs as Record<string, unknown>).company;
    if (typeof company !== 'number') throw authFailed(method, `user "${this.o.login}" has no current company in Tryton`);
    const ctx: TrytonContext = { ...(prefs as Record<string, unknown>), company };
    this.session = session;
    this.ctx = ctx;
    return ctx;
  }

  private authHeader(s: TrytonSession): string {
    return `Session ${Buffer.from(`${this.o.login}:${s.userId}:${s.key}`, 'utf8').toString('base64')}`;
  }

  private async post(method: string, params: unknown[], authorization: string | null): Promise<{ status: number; body: string }> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (authorization) headers.authorization = authorization;
    try {
      const res = await this.fetchImpl(this.endpoint, {
        method: 'POST', headers, body: JSON.stringify({ id: ++this.requestId, method, params }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      return { status: res.status, body: await res.text() };
    } catch (e) {
      throw fromFetchFailure(method, e, this.timeoutMs);
    }
  }

  private unwrap(method: string, res: { status: number; body: string }): unknown {
    if (res.status !== 200) throw fromHttpStatus(method, res.status);
    let json: unknown;
    try { json = JSON.parse(res.body); } catch { throw rpcError(method, 'the answer is not JSON'); }
    if (json === null || typeof json !== 'object') throw rpcError(method, 'the answer is not a JSON-RPC object');
    const answer = json as { result?: unknown; error?: unknown };
    if (answer.error !== undefined && answer.error !== null) throw fromFault(method, answer.error);
    if (!('result' in answer)) throw rpcError(method, 'the answer has neither result nor error');
    return answer.result;
  }
}
