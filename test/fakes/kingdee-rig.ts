import { pino } from 'pino';
import { fixedClock, type Clock } from '../../src/core/clock.ts';
import type { ErpInstance } from '../../src/config/erp-instances.ts';
import { KingdeeClient, type KingdeeClientOptions } from '../../src/erp/connectors/kingdee/client.ts';
import { KingdeeConnector } from '../../src/erp/connectors/kingdee/connector.ts';
import { kingdeeKind } from '../../src/erp/connectors/kingdee/index.ts';
import { kingdeeSettingsSchema, resolveForms, type KingdeeSettings } from '../../src/erp/connectors/kingdee/settings.ts';
import { startFakeKingdee, type FakeKingdee } from './kingdee-server.ts';

/**
 * A Kingdee connector wired to the loopback fake, as an instance file would configure it: the settings block is
 * parsed by the kind's own schema. The fake's forms get the custom fields a deployment adds in BOS: the key field and,
 * for this test deployment, the voucher number and date that show an expense bill as posted.
 */
export const POSTED = { field: 'F_BOT_VoucherNo', date_field: 'F_BOT_VoucherDate' };

export interface KingdeeRig {
  fake: FakeKingdee;
  clock: Clock & { advance(ms: number): void };
  settings: KingdeeSettings;
  instance: ErpInstance;
  connector: KingdeeConnector;
  /** The connector of the same instance with other client options (a recording sleep, another timeout…). */
  connectorWith(o: Partial<KingdeeClientOptions>, settings?: Record<string, unknown>): { connector: KingdeeConnector; client: KingdeeClient };
  close(): Promise<void>;
}

export function settingsBlock(acctId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    acct_id: acctId,
    lock_retry: { attempts: 3, backoff_ms: 0 },
    documents: {
      expense_reimbursement: { posted: POSTED },
      payment_request: {}, purchase_requisition: {}, purchase_order: {},
    },
    ...extra,
  };
}

export async function startKingdeeRig(extraSettings: Record<string, unknown> = {}): Promise<KingdeeRig> {
  const clock = fixedClock(new Date('2026-03-02T00:00:00Z'));
  const fake = await startFakeKingdee({ clock, customFields: ['F_BOT_ExtKey', POSTED.field, POSTED.date_field] });
  const instance: ErpInstance = {
    id: 'k3-test', kind: 'kingdee', tenant: 'default', baseUrl: fake.baseUrl,
    credentials: { app_id: fake.appId, app_secret: fake.appSecret, username: fake.username },
    pollIntervalMs: 60_000, timeoutMs: 2_000, push: null, approvals: [], masterData: null, settings: settingsBlock(fake.acctId, extraSettings), file: 'erps/k3-test.yaml',
  };
  const settings = kingdeeSettingsSchema.parse(instance.settings);
  const connector = kingdeeKind.create(instance, settings, { clock, logger: pino({ level: 'silent' }) }) as KingdeeConnector;
  const connectorWith = (o: Partial<KingdeeClientOptions>, own?: Record<string, unknown>) => {
    const s = own ? kingdeeSettingsSchema.parse(settingsBlock(fake.acctId, own)) : settings;
    const client = new KingdeeClient({
      baseUrl: fake.baseUrl, acctId: s.acct_id, username: fake.username, appId: fake.appId, appSecret: fake.appSecret, lcid: s.lcid,
      login: s.login, timeoutMs: 2_000, clock, lockRetry: { attempts: s.lock_retry.attempts, backoffMs: s.lock_retry.backoff_ms }, ...o,
    });
    return { connector: new KingdeeConnector('k3-test', s, client, resolveForms(s), clock), client };
  };
  return { fake, clock, settings, instance, connector, connectorWith, close: () => fake.close() };
}
