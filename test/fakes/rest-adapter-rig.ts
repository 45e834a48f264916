import { pino } from 'pino';
import type { ErpInstance } from '../../src/config/erp-instances.ts';
import { fixedClock } from '../../src/core/clock.ts';
import type { ErpConnector } from '../../src/erp/erp-connector.ts';
import { restKind } from '../../src/erp/connectors/rest/index.ts';
import type { ContractHarness } from '../contract/erp-contract.ts';
import { startRestAdapter, type RestAdapterFake } from './rest-adapter.ts';

/**
 * The generic REST connector wired to the fake adapter as an instance file would configure it (the `settings:`
 * block parsed by the kind's own schema), and the contract suite's harness on top of it.
 */
export interface RestRig {
  fake: RestAdapterFake;
  clock: ReturnType<typeof fixedClock>;
  instance: ErpInstance;
  connector: ErpConnector;
  /** Another connector on the same fake: other settings, token or timeout. */
  connectorWith(o: {
    settings?: Record<string, unknown>; token?: string; timeoutMs?: number; push?: boolean;
    approvals?: ErpInstance['approvals']; masterData?: ErpInstance['masterData'];
  }): ErpConnector;
  close(): Promise<void>;
}

const PREFIX = '/erp-adapter/v1';

export async function startRestRig(o: { timeoutMs?: number } = {}): Promise<RestRig> {
  const clock = fixedClock(new Date('2026-03-02T01:30:00Z'));
  const fake = await startRestAdapter({ prefix: PREFIX, clock, parties: ['Zhang San', 'Acme Supplies'] });
  const base: ErpInstance = {
    id: 'acme-rest', kind: 'rest', tenant: 'default', baseUrl: fake.url, credentials: { token: fake.token },
    pollIntervalMs: 60_000, timeoutMs: o.timeoutMs ?? 1_000, push: null, approvals: [], masterData: null,
    settings: { path_prefix: PREFIX, decisions: true }, file: 'erps/acme-rest.yaml',
  };
  const connectorWith: RestRig['connectorWith'] = (w) => {
    const instance: ErpInstance = {
      ...base,
      settings: { ...base.settings, ...w.settings },
      credentials: { token: w.token ?? fake.token },
      timeoutMs: w.timeoutMs ?? base.timeoutMs,
      push: w.push ? { secret: 'push-secret-0123456789', windowMs: 300_000 } : null,
      approvals: w.approvals ?? base.approvals,
      masterData: w.masterData ?? base.masterData,
    };
    return restKind.create(instance, restKind.settings.parse(instance.settings), { clock, logger: pino({ level: 'silent' }) });
  };
  return { fake, clock, instance: base, connector: connectorWith({}), connectorWith, close: () => fake.close() };
}

/** The contract suite's harness (test/contract/erp-contract.ts) for the REST connector on the fake adapter. */
export async function restContractHarness(): Promise<ContractHarness> {
  const rig = await startRestRig();
  return {
    connector: rig.connector,
    kinds: [
      { docKind: 'expense_reimbursement', payload: (amount, tag) => ({ amount, party: 'Zhang San', description: `travel ${tag}`, date: '2026-03-01' }) },
      { docKind: 'purchase_order', payload: (amount, tag) => ({ amount, party: 'Acme Supplies', item: `laptop ${tag}`, quantity: '2', currency: 'CNY' }) },
    ],
    invalid: { docKind: 'expense_reimbursement', payload: { amount: '50.00', party: 'Nobody Known', description: 'refused' } },
    erpSide: {
      post: async (ref) => { rig.clock.advance(60_000); rig.fake.post(ref.id); },
      pay: async (ref, amount, bankRef) => { rig.clock.advance(60_000); rig.fake.pay(ref.id, amount, bankRef); },
    },
    outage: async () => rig.fake.down(),
    loseNextAnswer: () => rig.fake.loseNextAnswer('hang'),
    close: async () => {
      const drift = rig.fake.violations.splice(0);
      await rig.close();
      if (drift.length) throw new Error(`the fake adapter broke the contract:\n${drift.join('\n')}`);
    },
  };
}
