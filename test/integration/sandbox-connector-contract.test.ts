import { SandboxErpConnector } from '../../src/erp/connectors/sandbox.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { erpContract } from '../contract/erp-contract.ts';
import { createTestDb } from '../support/test-db.ts';

/** The built-in ledger passes the same contract as the real ERPs; its operators post and pay through `ledger`. */
erpContract('sandbox', async () => {
  const tdb = await createTestDb();
  const clock = fixedClock(new Date('2026-03-02T08:00:00Z'));
  const connector = new SandboxErpConnector('sandbox', tdb.handle.db, 'default', clock);
  return {
    connector,
    kinds: [
      { docKind: 'expense_reimbursement', payload: (amount, tag) => ({ amount, description: `contract ${tag}`, party: 'Employee' }) },
      { docKind: 'purchase_order', payload: (amount, tag) => ({ amount, description: `contract ${tag}`, party: 'Supplier', quantity: '2' }) },
    ],
    invalid: { docKind: 'expense_reimbursement', payload: { amount: 'twelve', description: 'not an amount' } },
    erpSide: {
      post: async (ref) => { await connector.post(ref); },
      pay: async (ref, _amount, bankRef) => { await connector.pay(ref, bankRef); },
    },
    close: () => tdb.drop(),
  };
});
