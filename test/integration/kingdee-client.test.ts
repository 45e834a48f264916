import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/clock.ts';
import { ExternalServiceError } from '../../src/core/errors.ts';
import type { ErpDocRef } from '../../src/erp/erp-connector.ts';
import { startKingdeeRig, type KingdeeRig } from '../fakes/kingdee-rig.ts';

/** The K3 Cloud wire protocol against the fake: signed login, the session cookie, session loss, locks, outages, timeouts. */
async function failure(p: Promise<unknown>): Promise<ExternalServiceError> {
  const e: unknown = await p.then(() => null, (x: unknown) => x);
  if (!(e instanceof ExternalServiceError)) throw new Error(`expected an ExternalServiceError, got ${String(e)}`);
  return e;
}

describe('Kingdee K3 Cloud client (fake server)', () => {
  let rig: KingdeeRig;
  let ref: ErpDocRef;
  beforeAll(async () => {
    rig = await startKingdeeRig();
    ref = (await rig.connector.createDocument({
      docKind: 'expense_reimbursement', externalKey: { namespace: 'approval:k3c', key: 'one:r1' },
      payload: { amount: '66.00', currency: 'CNY', party: 'E002', date: '2026-03-02' }, autoApprove: true,
    })).ref;
  });
  afterAll(() => rig.close());

  it('logs in with LoginBySign: acct id, user, app id, timestamp, SHA-256 signature, lcid; then sends the session cookies', () => {
    const login = rig.fake.logins.find((l) => l.ok);
    expect(login?.service).toBe('LoginBySign');
    const p = (login?.body as { parameters: unknown[] }).parameters;
    const ts = String(Math.floor(rig.clock.now().getTime() / 1000));
    const sign = createHash('sha256').update([rig.fake.acctId, rig.fake.username, rig.fake.appId, rig.fake.appSecret, ts].sort().join('')).digest('hex');
    expect(p).toEqual([rig.fake.acctId, rig.fake.username, rig.fake.appId, ts, sign, 2052]);
    expect(JSON.stringify(login?.body)).not.toContain(rig.fake.appSecret);
    const call = rig.fake.calls.at(-1);
    expect(call?.cookie).toMatch(/kdservice-sessionid=\w+/);
    expect(call?.cookie).toMatch(/ASP\.NET_SessionId=/);
  });

  it('a wrong secret, account set or a stale timestamp is K3\'s login refusal: erp.auth, not retryable, nothing else sent', async () => {
    const calls = rig.fake.calls.length;
    const wrongSecret = rig.connectorWith({ appSecret: 'not-the-secret' }).connector;
    const e1 = await failure(wrongSecret.getStatus(ref));
    expect(e1).toMatchObject({ code: 'erp.auth', retryable: false });
    expect(e1.message).toContain('签名不正确');
    const e2 = await failure(rig.connectorWith({ acctId: 'nope' }).connector.getStatus(ref));
    expect(e2.message).toContain('数据中心不存在');
    const late = fixedClock(new Date(rig.clock.now().getTime() + 10 * 60_000));
    const e3 = await failure(rig.connectorWith({ clock: late }).connector.getStatus(ref));
    expect(e3.message).toContain('签名已过期');
    expect(rig.fake.calls.length).toBe(calls);
  });

  it('LoginByAppSecret is the other login mode (named parameters)', async () => {
    const { connector } = rig.connectorWith({}, { login: 'app_secret' });
    expect((await connector.getStatus(ref)).status).toBe('approved');
    const login = rig.fake.logins.filter((l) => l.ok).at(-1);
    expect(login?.service).toBe('LoginByAppSecret');
    expect(login?.body).toEqual({ acctid: rig.fake.acctId, username: rig.fake.username, appid: rig.fake.appId, appsecret: rig.fake.appSecret, lcid: 2052 });
  });

  it('a lost session (会话信息已丢失, MsgCode 1) logs in again once and repeats the call; View\'s empty answer counts too', async () => {
    const { connector, client } = rig.connectorWith({});
    await connector.getStatus(ref);
    const logins = rig.fake.logins.filter((l) => l.ok).length;
    rig.fake.dropSessions();
    expect((await connector.getStatus(ref)).status).toBe('approved');
    expect(rig.fake.logins.filter((l) => l.ok).length).toBe(logins + 1);
    rig.fake.dropSessions();
    const model = await client.view(ref.formId, ref.id);
    expect(model).toMatchObject({ BillNo: ref.number, DocumentStatus: 'C' });
    expect(rig.fake.logins.filter((l) => l.ok).length).toBe(logins + 2);
  });

  it('a locked answer (网控冲突, MsgCode 13) is retried with doubling backoff and then succeeds', async () => {
    const sleeps: number[] = [];
    const { connector } = rig.connectorWith({ lockRetry: { attempts: 4, backoffMs: 100 }, sleep: async (ms) => { sleeps.push(ms); } });
    await connector.getStatus(ref);
    rig.fake.lock(2);
    expect((await connector.getStatus(ref)).status).toBe('approved');
    expect(sleeps).toEqual([100, 200]);
  });

  it('locked on every attempt: erp.unavailable (retryable) after the configured attempts, and the write was never applied', async () => {
    const sleeps: number[] = [];
    const { connector } = rig.connectorWith({ lockRetry: { attempts: 3, backoffMs: 50 }, sleep: async (ms) => { sleeps.push(ms); } });
    await connector.getStatus(ref);
    rig.fake.lock(Infinity);
    try {
      const e = await failure(connector.reverse(ref, { reason: 'x' }));
      expect(e).toMatchObject({ code: 'erp.unavailable', retryable: true });
      expect(e.message).toContain('网控冲突');
      expect(sleeps).toEqual([50, 100]);
    } finally {
      rig.fake.lock(0);
    }
    expect((await connector.getStatus(ref)).status).toBe('approved');
  });

  it('a refused connection is unavailable even for a write (it was never sent); a read without an answer is unavailable', async () => {
    const { connector } = rig.connectorWith({ timeoutMs: 300 });
    // A new connection (another host name, so no pooled keep-alive socket): refused before anything is sent.
    const fresh = rig.connectorWith({ baseUrl: rig.fake.baseUrl.replace('127.0.0.1', 'localhost') }).client;
    const restore = await rig.fake.outage();
    try {
      expect(await failure(fresh.operate('submit', ref.formId, [ref.id]))).toMatchObject({ code: 'erp.unavailable', retryable: true });
    } finally {
      await restore();
    }
    rig.fake.loseNextAnswer('ExecuteBillQuery', 'hang');
    const e = await failure(connector.getStatus(ref));
    expect(e).toMatchObject({ code: 'erp.unavailable', retryable: true, details: { reason: 'timeout' } });
  });
});
