import type { DirectoryDepartment, DirectorySource, DirectoryUser } from '../platform.ts';
import type { RateLimiter } from '../rate-limiter.ts';
import { callFeishu, type FeishuRequester } from './api-call.ts';

/**
 * Org directory from contact v3 (docs/platforms/feishu.md §6): every department under the root (`0`) and the users of
 * the root and each department. Ids are open_id / open_department_id, the ones messages are addressed with.
 * Visibility is bounded by the app's contacts scope; users outside it are simply not returned.
 */

/**
 * Contact list APIs: "1000 次/分钟、50 次/秒" (Feishu API page '获取部门直属用户列表', contact/v3/users/
 * find_by_department). Documented limits: the limiter keeps a margin.
 */
const CONTACT_PER_SECOND = 50;
const CONTACT_PER_MINUTE = 1000;
/** Largest page the contact v3 list APIs accept. */
const PAGE_SIZE = 50;
/** Id types we ask for: user ids are open_id, department ids are open_department_id. */
const ID_PARAMS = { user_id_type: 'open_id', department_id_type: 'open_department_id' } as const;

interface Page<T> { code?: number; msg?: string; data?: { items?: T[]; has_more?: boolean; page_token?: string } }

interface RawDepartment {
  open_department_id?: string;
  department_id?: string;
  name?: string;
  parent_department_id?: string;
  leader_user_id?: string;
  leaders?: { leaderType?: number; leaderID?: string }[];
}

interface RawUser {
  open_id?: string;
  union_id?: string;
  user_id?: string;
  name?: string;
  email?: string;
  mobile?: string;
  department_ids?: string[];
  leader_user_id?: string;
}

export interface FeishuDirectoryDeps {
  appId: string;
  client: FeishuRequester;
  limiter: RateLimiter;
  sleep: (ms: number) => Promise<void>;
}

export function toDirectoryDepartment(d: RawDepartment): DirectoryDepartment | undefined {
  const id = d.open_department_id ?? d.department_id;
  if (!id) return undefined;
  const leaders = new Set<string>();
  if (d.leader_user_id) leaders.add(d.leader_user_id);
  for (const l of d.leaders ?? []) if (l.leaderID) leaders.add(l.leaderID);
  const parent = d.parent_department_id && d.parent_department_id !== '0' ? d.parent_department_id : undefined;
  return { externalId: id, name: d.name ?? id, ...(parent ? { parentExternalId: parent } : {}), leaderExternalIds: [...leaders] };
}

export function toDirectoryUser(u: RawUser): DirectoryUser | undefined {
  if (!u.open_id) return undefined;
  const aliases = [u.union_id, u.user_id].filter((x): x is string => typeof x === 'string' && x.length > 0);
  return {
    externalId: u.open_id,
    aliases,
    name: u.name ?? u.open_id,
    ...(u.email ? { email: u.email } : {}),
    ...(u.mobile ? { mobile: u.mobile } : {}),
    departmentExternalIds: u.department_ids ?? [],
    ...(u.leader_user_id ? { managerExternalId: u.leader_user_id } : {}),
  };
}

export function createFeishuDirectory(deps: FeishuDirectoryDeps): DirectorySource {
  async function listAll<T>(url: string, params: Record<string, string | number | boolean>): Promise<T[]> {
    const out: T[] = [];
    let pageToken: string | undefined;
    do {
      const res = await callFeishu<Page<T>>(deps.client, {
        method: 'GET', url, params: { ...ID_PARAMS, ...params, page_size: PAGE_SIZE, ...(pageToken ? { page_token: pageToken } : {}) },
      }, { limiter: deps.limiter, sleep: deps.sleep, permits: [{ key: `feishu:${deps.appId}:contact`, perSecond: CONTACT_PER_SECOND, perMinute: CONTACT_PER_MINUTE }] });
      out.push(...(res.data?.items ?? []));
      pageToken = res.data?.has_more ? res.data.page_token : undefined;
    } while (pageToken);
    return out;
  }

  const listDepartments = async (): Promise<DirectoryDepartment[]> =>
    (await listAll<RawDepartment>('/open-apis/contact/v3/departments/0/children', { fetch_child: true }))
      .map(toDirectoryDepartment).filter((d): d is DirectoryDepartment => d !== undefined);

  return {
    listDepartments,
    async listUsers() {
      const deptIds = ['0', ...(await listDepartments()).map((d) => d.externalId)];
      const byId = new Map<string, DirectoryUser>();
      for (const id of deptIds) {
        for (const raw of await listAll<RawUser>('/open-apis/contact/v3/users/find_by_department', { department_id: id })) {
          const u = toDirectoryUser(raw);
          if (u && !byId.has(u.externalId)) byId.set(u.externalId, u);
        }
      }
      return [...byId.values()];
    },
  };
}
