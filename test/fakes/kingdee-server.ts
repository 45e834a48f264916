import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Clock } from '../../src/core/clock.ts';
import { FakeLedger, type FakeOp, type K3Err } from './kingdee-bills.ts';
import { FieldMissing } from './kingdee-filter.ts';
import { FAKE_FORMS, type MasterRow } from './kingdee-forms.ts';
import { FakeErpUsers } from './kingdee-erp-user.ts';
import { FakeFinance } from './kingdee-finance.ts';

/**
 * A loopback Kingdee K3 Cloud WebAPI for tests: `POST /K3Cloud/<Service>.common.kdsvc`, JSON, HTTP 200 for refusals.
 * - LoginBySign `{"parameters":[acctId,user,appId,timestamp,sign,lcid]}` with sign = hex SHA-256 of the five values
 *   sorted and joined (https://github.com/Xueyu334/kingdee-k3cloud-open-api/blob/HEAD/src/main/java/com/kingdee/bos/webapi/common/utils/WebApiHttpHelper.java),
 *   the timestamp within 5 minutes of the fake's clock (the window is this fake's choice); LoginByAppSecret
 *   `{"acctid","username","appid","appsecret","lcid"}` (https://github.com/kingdee-nodejs/k3cloud/blob/HEAD/src/K3CloudApiSdk.js).
 *   Success: LoginResultType 1, KDSVCSessionId, and the cookies kdservice-sessionid and ASP.NET_SessionId; a refusal:
 *   LoginResultType 0 (the failure values are not documented; clients treat anything but 1 as failure) and a Message.
 * - Every other service needs the kdservice-sessionid cookie of a live session, else MsgCode 1 "会话信息已丢失，请重新登录"
 *   (https://github.com/adamzhang1987/kingdee-k3cloud-mcp/blob/HEAD/docs/session-auth-review.md); ExecuteBillQuery wraps
 *   its status as [[{"Result":{…}}]] (WebApiHttpHelper.isSessionStillValidInternal above reads $[0][0].Result.ResponseStatus.MsgCode);
 *   View without a session answers `{}` and no error, a quirk integrations report.
 * - Named parameters (`{"formid","data"}`, data an object or a JSON string) or positional `{"parameters":[…]}`.
 * - MsgCode meanings (13 网控冲突, 11 验证失败, 10 未找到对应数据…): https://github.com/Xueyu334/kingdee-k3cloud-open-api/blob/HEAD/src/main/java/com/kingdee/bos/webapi/domain/dto/response/status/ResponseStatus.java
 * - Hooks: lock(n) answers MsgCode 13 网控冲突; loseNextAnswer() applies the next Save (or a named service) and drops
 *   the connection (or holds it open: `hang`); dropSessions(); outage() closes the port until restored.
 * - The finance side (kingdee-finance.ts) posts and pays bills as an accountant would; people in K3's own client
 *   make and submit bills (kingdee-erp-user.ts); base data is queried and changed in kingdee-master.ts.
 */
export interface FakeKingdeeOptions {
  acctId?: string; username?: string; appId?: string; appSecret?: string;
  /** Extra fields every form has (custom fields added in BOS: the key field, voucher fields…). */
  customFields?: string[];
  clock: Clock;
  master?: Record<string, MasterRow[]>;
}

export interface RecordedCall { service: string; body: unknown; cookie: string; headers: IncomingMessage['headers'] }

const SESSION_LOST = { ErrorCode: 500, IsSuccess: false, Errors: [{ FieldName: null, Message: '会话信息已丢失，请重新登录', DIndex: 0 }], SuccessEntitys: [], SuccessMessages: [], MsgCode: 1 };
const LOCKED = (): object => ({ ErrorCode: 500, IsSuccess: false, Errors: [{ FieldName: null, Message: '网控冲突：业务对象正在被其他用户修改，请稍候再使用', DIndex: 0 }], SuccessEntitys: [], SuccessMessages: [], MsgCode: 13 });
const status = (ok: boolean, errors: K3Err[], entities: object[], msgCode = ok ? 0 : 11): object =>
  ({ ErrorCode: ok ? 0 : 500, IsSuccess: ok, Errors: errors, SuccessEntitys: entities, SuccessMessages: [], MsgCode: msgCode });

const DEFAULT_MASTER: Record<string, MasterRow[]> = {
  employee: [{ number: 'E001', name: '张三' }, { number: 'E002', name: '李四' }],
  supplier: [{ number: 'S001', name: '上海办公用品有限公司' }],
  currency: [{ number: 'PRE001', name: '人民币' }, { number: 'PRE007', name: '美元' }],
  billtype: ['FYBXD001_SYS', 'FKSQ002_SYS', 'CGSQD01_SYS', 'CGDD01_SYS'].map((n) => ({ number: n, name: n })),
  expense_item: [{ number: 'FYXM01', name: '差旅费' }],
  material: [{ number: 'M001', name: '办公椅', attrs: { FSpecification: 'BG-01', 'FBaseUnitId.FName': '把' } }],
  customer: [{ number: 'C001', name: '北京客户有限公司' }],
  department: [{ number: 'D01', name: '行政部' }],
  stock: [{ number: 'CK01', name: '总仓' }],
  account: [{ number: '6602', name: '管理费用' }],
};

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export class FakeKingdee {
  readonly acctId: string; readonly username: string; readonly appId: string; readonly appSecret: string;
  readonly ledger: FakeLedger;
  readonly finance: FakeFinance;
  /** People working in K3's own client (kingdee-erp-user.ts): bills made, submitted, edited there. */
  readonly erpUsers: FakeErpUsers;
  readonly calls: RecordedCall[] = [];
  readonly logins: { service: string; body: unknown; ok: boolean }[] = [];
  private readonly sessions = new Set<string>();
  private locks = 0;
  private lose: { service: string; mode: 'reset' | 'hang' } | null = null;
  private readonly sockets = new Set<Socket>();
  private server: Server;
  port = 0;

  constructor(private readonly o: FakeKingdeeOptions) {
    this.acctId = o.acctId ?? '66f0c2a1b9e3d7'; this.username = o.username ?? 'bot.api';
    this.appId = o.appId ?? '299761_5c8fRxjJ0qG/WeUuVd9M3Y0I3h7MxrqL'; this.appSecret = o.appSecret ?? 'a4b8c1d7e5f24e8b9c3d2a1f0e6b7c8d';
    this.ledger = new FakeLedger(FAKE_FORMS, o.master ?? DEFAULT_MASTER, o.customFields ?? ['F_BOT_ExtKey']);
    this.finance = new FakeFinance(this.ledger);
    this.ledger.apiUser = { id: 100008, name: this.username };
    this.erpUsers = new FakeErpUsers(this.ledger);
    this.server = this.makeServer();
  }

  get baseUrl(): string { return `http://127.0.0.1:${this.port}/K3Cloud`; }

  private makeServer(): Server {
    const s = createServer((req, res) => { void this.handle(req, res); });
    s.on('connection', (sock) => { this.sockets.add(sock); sock.on('close', () => this.sockets.delete(sock)); });
    return s;
  }

  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** The next `n` business calls answer "locked" (MsgCode 13); Infinity: until reset with lock(0). */
  lock(n: number): void { this.locks = n; }
  /** The next call of `service` (default Save) is applied, then its answer is lost: the connection drops, or hangs. */
  loseNextAnswer(service = 'Save', mode: 'reset' | 'hang' = 'reset'): void { this.lose = { service, mode }; }
  /** Forgets every session (idle expiry, an IIS recycle). */
  dropSessions(): void { this.sessions.clear(); }

  /** Closes the port (connections refused); the returned function listens on the same port again. */
  async outage(): Promise<() => Promise<void>> {
    const port = this.port;
    await this.close();
    return async () => { this.server = this.makeServer(); await this.start(port); };
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const m = /\/([A-Za-z0-9_.]+)\.common\.kdsvc$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !m?.[1]) { res.writeHead(404).end(); return; }
    const service = m[1];
    let body: Record<string, unknown>;
    try { body = raw ? JSON.parse(raw) as Record<string, unknown> : {}; } catch { res.writeHead(500).end('invalid json'); return; }
    const json = (v: unknown, headers: Record<string, string | string[]> = {}): void => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(v));
    };
    if (service.startsWith('Kingdee.BOS.WebApi.ServicesStub.AuthService.')) { this.login(service.split('.').pop() ?? '', body, json); return; }
    const cookie = req.headers.cookie ?? '';
    this.calls.push({ service, body, cookie, headers: req.headers });
    const op = service.split('.').pop() ?? '';
    const sid = /(?:^|;\s*)kdservice-sessionid=([^;]+)/.exec(cookie)?.[1];
    const wrap = (st: object): object => (op === 'ExecuteBillQuery' ? [[{ Result: { ResponseStatus: st } }]] : { Result: { ResponseStatus: st } });
    if (!sid || !this.sessions.has(sid)) { json(op === 'View' ? {} : wrap(SESSION_LOST)); return; }
    if (this.locks > 0) { this.locks--; json(wrap(LOCKED())); return; }
    const params = Array.isArray(body.parameters) ? body.parameters : null;
    const formId = String(params ? (op === 'ExecuteBillQuery' ? '' : params[0]) : body.formid ?? '');
    let data = params ? params[op === 'ExecuteBillQuery' ? 0 : 1] : body.data;
    if (typeof data === 'string') { try { data = JSON.parse(data); } catch { json(wrap(status(false, [{ FieldName: null, Message: 'data 不是有效的 JSON', DIndex: 0 }], [], 8))); return; } }
    const answer = this.answer(op, formId, (data ?? {}) as Record<string, unknown>);
    if (this.lose && this.lose.service === op) {
      const mode = this.lose.mode;
      this.lose = null;
      if (mode === 'reset') req.socket.destroy();
      return; // hang: no answer until the client gives up or the server closes
    }
    if (answer === undefined) { res.writeHead(404).end(); return; }
    json(answer);
  }

  private answer(op: string, formId: string, data: Record<string, unknown>): unknown {
    const l = this.ledger;
    switch (op) {
      case 'Save': {
        const r = l.save(formId, data);
        if ('errors' in r) return { Result: { ResponseStatus: status(false, r.errors, [], r.msgCode) } };
        const entity = { Id: r.bill.id, Number: r.bill.no, DIndex: 0 };
        return { Result: { ResponseStatus: status(true, [], [entity]), Id: r.bill.id, Number: r.bill.no, NeedReturnData: [{ FBillNo: r.bill.no }] } };
      }
      case 'Submit': case 'Audit': case 'UnAudit': case 'CancelAssign': case 'Delete': {
        const r = l.operate(op as FakeOp, formId, data);
        return { Result: { ResponseStatus: status(r.errors.length === 0, r.errors, r.done.map((b, i) => ({ Id: b.id, Number: b.no, DIndex: i }))) } };
      }
      case 'View': {
        const model = l.view(formId, data);
        if (!model) return { Result: { ResponseStatus: status(false, [{ FieldName: null, Message: '未找到对应数据', DIndex: 0 }], [], 10) } };
        return { Result: { ResponseStatus: status(true, [], []), Result: model } };
      }
      case 'ExecuteBillQuery':
        try {
          return l.query(data);
        } catch (e) {
          const message = e instanceof FieldMissing || e instanceof Error ? e.message : String(e);
          return [[{ Result: { ResponseStatus: status(false, [{ FieldName: e instanceof FieldMissing ? e.field : null, Message: message, DIndex: 0 }], [], e instanceof FieldMissing ? 9 : 8) } }]];
        }
      default:
        return undefined;
    }
  }

  private login(service: string, body: Record<string, unknown>, json: (v: unknown, h?: Record<string, string | string[]>) => void): void {
    const refuse = (message: string): void => { this.logins.push({ service, body, ok: false }); json({ Message: message, MessageCode: null, LoginResultType: 0, Context: null, KDSVCSessionId: null, IsSuccessByAPI: false }); };
    let acct: unknown, user: unknown, app: unknown;
    if (service === 'LoginBySign') {
      const p = Array.isArray(body.parameters) ? body.parameters : [];
      [acct, user, app] = p;
      const ts = String(p[3] ?? '');
      const expect = createHash('sha256').update([this.acctId, this.username, this.appId, this.appSecret, ts].sort().join(''), 'utf8').digest('hex');
      if (p.length !== 6 || typeof p[5] !== 'number') { refuse('参数个数或类型不正确'); return; }
      if (acct !== this.acctId) { refuse('数据中心不存在'); return; }
      if (Math.abs(Number(ts) - this.o.clock.now().getTime() / 1000) > 300) { refuse('签名已过期，请检查时间戳'); return; }
      if (user !== this.username || app !== this.appId || p[4] !== expect) { refuse('第三方系统登录授权验证失败：签名不正确'); return; }
    } else if (service === 'LoginByAppSecret') {
      ({ acctid: acct, username: user, appid: app } = body);
      if (acct !== this.acctId) { refuse('数据中心不存在'); return; }
      if (user !== this.username || app !== this.appId || body.appsecret !== this.appSecret) { refuse('第三方系统登录授权验证失败'); return; }
    } else { refuse(`不支持的登录方式 ${service}`); return; }
    const sid = randomUUID().replace(/-/g, '');
    this.sessions.add(sid);
    this.logins.push({ service, body, ok: true });
    json({ Message: null, MessageCode: 'CheckPasswordPolicy', LoginResultType: 1, Context: { UserName: user, DBid: acct, SessionId: sid, UserLocale: 'zh-CN' }, KDSVCSessionId: sid, IsSuccessByAPI: true },
      { 'set-cookie': [`kdservice-sessionid=${sid}; path=/`, `ASP.NET_SessionId=${randomUUID().slice(0, 24)}; path=/; HttpOnly`] });
  }
}

export async function startFakeKingdee(o: FakeKingdeeOptions): Promise<FakeKingdee> {
  return new FakeKingdee(o).start();
}
