import { TrytonRpcClient } from '../../../src/erp/connectors/tryton/rpc-client.ts';
import { trytonDate, trytonDecimal } from '../../../src/erp/connectors/tryton/rpc-codec.ts';
import type { TrytonServer } from './start-tryton.ts';

/**
 * Purchase requisitions as people make them in Tryton 6.0 (module purchase_requisition), over JSON-RPC:
 * - a requester (a Tryton user in the group "Purchase Requisition" whose employee is the set-up's Wang Fang) creates
 *   one with lines, presses `wait` to submit it, `draft` to take it back and edit it;
 * - the approver Li Si is a company employee with an e-mail; the bot user gets the groups "Purchase Requisition
 *   Approval" (the approve and reject buttons, any requisition) and "Purchase Requisition" (write access, which a note
 *   on a requisition needs), and Li Si among its employees, so Tryton records Li Si as approver when the context says so.
 * The rights are as purchase_requisition/purchase.xml ships them (groups, button groups, record rules).
 */
export const REQUESTER = { login: 'requester', password: 'Requester-PW-5821' } as const;
export const APPROVER_NAME = 'Li Si';
export const APPROVER_EMAIL = 'lisi@example.com';

export interface RequisitionSetup {
  requester: TrytonRpcClient;
  /** company.employee ids: the requester's (Wang Fang) and the approver's (Li Si). */
  ownerEmployee: number;
  approverEmployee: number;
}

async function xmlId(admin: TrytonRpcClient, module: string, fsId: string): Promise<number> {
  const [row] = await admin.searchRead<{ db_id: number }>('ir.model.data', [['module', '=', module], ['fs_id', '=', fsId]], ['db_id'], { limit: 1 });
  if (!row) throw new Error(`Tryton has no ${module}.${fsId}`);
  return row.db_id;
}

/** The company employee whose party is named `name` (party and employee created when Tryton has none); returns its id. */
export async function ensureEmployee(admin: TrytonRpcClient, tryton: TrytonServer, name: string, email?: string): Promise<number> {
  const [found] = await admin.search('company.employee', [['party.name', '=', name]], { limit: 1 });
  if (found !== undefined) return found;
  let [party] = await admin.search('party.party', [['name', '=', name]], { limit: 1 });
  if (party === undefined) {
    [party] = await admin.create('party.party', [{ name, ...(email ? { contact_mechanisms: [['create', [{ type: 'email', value: email }]]] } : {}) }]);
  }
  const [id] = await admin.create('company.employee', [{ party, company: tryton.ids.company }]);
  if (id === undefined) throw new Error(`Tryton created no employee ${name}`);
  return id;
}

export interface SetupOptions {
  /** The requester's employee (default: the set-up's Wang Fang) and login (default REQUESTER's). */
  ownerEmployee?: number;
  login?: string;
  /** The approver's employee name and e-mail (default Li Si). */
  approverName?: string;
  approverEmail?: string;
}

/** The requester user, the approver employee and the bot's rights for requisitions. */
export async function setupRequisitions(tryton: TrytonServer, admin: TrytonRpcClient, o: SetupOptions = {}): Promise<RequisitionSetup> {
  const requisitionGroup = await xmlId(admin, 'purchase_requisition', 'group_purchase_requisition');
  const approvalGroup = await xmlId(admin, 'purchase_requisition', 'group_purchase_requisition_approval');
  const company = tryton.ids.company;
  const ownerEmployee = o.ownerEmployee ?? tryton.ids.employee;
  const login = o.login ?? REQUESTER.login;
  if ((await admin.search('res.user', [['login', '=', login]])).length === 0) {
    await admin.create('res.user', [{
      name: `Requester ${login}`, login, password: REQUESTER.password, groups: [['add', [requisitionGroup]]],
      companies: [['add', [company]]], company, employees: [['add', [ownerEmployee]]], employee: ownerEmployee,
    }]);
  }
  const approverEmployee = await ensureEmployee(admin, tryton, o.approverName ?? APPROVER_NAME, o.approverEmail ?? APPROVER_EMAIL);
  await admin.write('res.user', [tryton.ids.user_bot], { groups: [['add', [approvalGroup, requisitionGroup]]], employees: [['add', [approverEmployee]]] });
  const requester = new TrytonRpcClient({ url: tryton.url, database: tryton.database, login, password: REQUESTER.password });
  return { requester, ownerEmployee, approverEmployee };
}

export interface LineInput { description: string; quantity: number; unitPrice: string; supplier?: number; product?: number; unit?: number }

/** A draft requisition of the requester (their employee is the default), with its lines; returns its id. */
export async function createRequisition(requester: TrytonRpcClient, r: { description: string; supplyDate: string; lines: LineInput[] }): Promise<number> {
  const [id] = await requester.create('purchase.requisition', [{
    description: r.description, supply_date: trytonDate(r.supplyDate),
    lines: [['create', r.lines.map((l) => ({
      description: l.description, quantity: l.quantity, unit_price: trytonDecimal(l.unitPrice),
      ...(l.supplier !== undefined ? { supplier: l.supplier } : {}), ...(l.product !== undefined ? { product: l.product, unit: l.unit } : {}),
    }))]],
  }]);
  if (id === undefined) throw new Error('Tryton created no requisition');
  return id;
}

export async function requisitionState(client: TrytonRpcClient, id: number): Promise<string | undefined> {
  return (await client.searchRead<{ state: string }>('purchase.requisition', [['id', '=', id]], ['state']))[0]?.state;
}

/** A button of the requester's (`wait`, `draft`, `cancel`), checked by the state it must lead to. */
export async function press(requester: TrytonRpcClient, id: number, button: 'wait' | 'draft' | 'cancel', expected: string): Promise<void> {
  await requester.button('purchase.requisition', button, [id]);
  const state = await requisitionState(requester, id);
  if (state !== expected) throw new Error(`requisition ${id} is ${String(state)} after ${button}, expected ${expected}`);
}

/** The requester edits a draft: every line's quantity becomes `quantity` (through the requisition, as the client saves it). */
export async function setQuantity(requester: TrytonRpcClient, id: number, quantity: number): Promise<void> {
  const [row] = await requester.read<{ lines: number[] }>('purchase.requisition', [id], ['lines']);
  await requester.write('purchase.requisition', [id], { lines: [['write', row?.lines ?? [], { quantity }]] });
}

export interface NoteRead { id: number; message: string; create_date: string }

/** The notes on a requisition, oldest first, as `client` may read them. */
export function notesOf(client: TrytonRpcClient, id: number): Promise<NoteRead[]> {
  return client.searchRead<NoteRead>('ir.note', [['resource', '=', `purchase.requisition,${id}`]], ['id', 'message', 'create_date'], { order: [['id', 'ASC']] });
}
