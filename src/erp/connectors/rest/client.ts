import type { Clock } from '../../../core/clock.ts';
import { fromFetchFailure, fromHttpStatus, rpcError, type CallInfo } from './errors.ts';

/**
 * HTTP client for an adapter that meets docs/erp-rest-contract.openapi.yaml. Every request carries
 * `Authorization: Bearer <token>` (RFC 6750 §2.1, https://www.rfc-editor.org/rfc/rfc6750#section-2.1) and a
 * timeout (AbortSignal); JSON in, JSON out. Answers other than 2xx become the port's errors (errors.ts); a 2xx body
 * that is not JSON is `erp.rpc_error`. Checking the JSON against the contract is the caller's (status.ts).
 */

/**
 * The operations this client uses: method, path (as in the OpenAPI file's `paths`), the request schema it sends and
 * the answer schema it reads (`components.schemas`). test/unit/erp/rest-openapi.test.ts checks each against the file.
 */
export const REST_OPERATIONS = {
  getByKey: { method: 'GET', path: '/documents/{external_key}', request: null, answer: 'Document', write: false },
  put: { method: 'PUT', path: '/documents/{external_key}', request: 'CreateRequest', answer: 'CreateResponse', write: true },
  getById: { method: 'GET', path: '/documents/by-id/{id}', request: null, answer: 'Document', write: false },
  decide: { method: 'POST', path: '/documents/by-id/{id}/decide', request: 'DecideRequest', answer: 'Document', write: true },
  changes: { method: 'GET', path: '/changes', request: null, answer: 'ChangePage', write: false },
  originated: { method: 'GET', path: '/originated', request: null, answer: 'OriginatedPage', write: false },
  getOriginated: { method: 'GET', path: '/originated/{id}', request: null, answer: 'OriginatedDocument', write: false },
  masterKinds: { method: 'GET', path: '/master-data', request: null, answer: 'MasterKinds', write: false },
  masterRecords: { method: 'GET', path: '/master-data/{kind}', request: null, answer: 'MasterPage', write: false },
} as const;

export type RestOperation = keyof typeof REST_OPERATIONS;

export interface RestClientOptions {
  /** The instance id (for error messages). */
  instance: string;
  baseUrl: string;
  /** `settings.path_prefix`: '' or '/segments'. */
  pathPrefix: string;
  token: string;
  timeoutMs: number;
  headers: Record<string, string>;
  clock: Clock;
  fetch?: typeof fetch;
}

export interface CallOptions {
  /** Values for the path's `{name}` placeholders; each is percent-encoded as one segment. */
  params?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  signal?: AbortSignal;
}

export class RestAdapterClient {
  private readonly root: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly o: RestClientOptions) {
    this.root = `${o.baseUrl.replace(/\/+$/, '')}${o.pathPrefix}`;
    this.fetchImpl = o.fetch ?? fetch;
  }

  /** The URL of an operation (exposed for tests and error messages). */
  url(op: RestOperation, c: CallOptions = {}): string {
    const path = REST_OPERATIONS[op].path.replace(/\{(\w+)\}/g, (_m, name: string) => {
      const v = c.params?.[name];
      if (v === undefined) throw new Error(`${op}: no value for {${name}}`);
      return encodeURIComponent(v);
    });
    const q = Object.entries(c.query ?? {}).filter((e): e is [string, string | number] => e[1] !== undefined);
    return `${this.root}${path}${q.length ? `?${new URLSearchParams(q.map(([k, v]): [string, string] => [k, String(v)])).toString()}` : ''}`;
  }

  /** Calls an operation; answers its 2xx status and parsed JSON body, or throws the port's error. */
  async call(op: RestOperation, c: CallOptions = {}): Promise<{ status: number; json: unknown }> {
    const spec = REST_OPERATIONS[op];
    const info: CallInfo = { instance: this.o.instance, op: `${spec.method} ${spec.path}` };
    const headers: Record<string, string> = { ...this.o.headers, accept: 'application/json', authorization: `Bearer ${this.o.token}` };
    if (c.body !== undefined) headers['content-type'] = 'application/json';
    const timeout = AbortSignal.timeout(this.o.timeoutMs);
    let res: Response;
    let text: string;
    try {
      res = await this.fetchImpl(this.url(op, c), {
        method: spec.method, headers, body: c.body === undefined ? undefined : JSON.stringify(c.body),
        signal: c.signal ? AbortSignal.any([timeout, c.signal]) : timeout,
      });
      // The body is part of the answer: losing it mid-way is a lost answer too.
      text = await res.text();
    } catch (e) {
      throw fromFetchFailure(info, e, { write: spec.write, timeoutMs: this.o.timeoutMs });
    }
    if (res.status < 200 || res.status > 299) {
      throw fromHttpStatus(info, { status: res.status, body: text, retryAfter: res.headers.get('retry-after') }, this.o.clock.now());
    }
    try {
      return { status: res.status, json: JSON.parse(text) as unknown };
    } catch {
      throw rpcError(info, `HTTP ${res.status} with a body that is not JSON: ${JSON.stringify(text.slice(0, 80))}`, { status: res.status });
    }
  }
}
