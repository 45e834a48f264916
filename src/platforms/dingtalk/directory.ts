import type { DirectoryDepartment, DirectorySource, DirectoryUser } from '../platform.ts';
import type { DingtalkHttp } from './open-api.ts';

/**
 * Org directory through the legacy topapi endpoints (DingTalk docs '查询用户详情' /topapi/v2/user/get, '获取部门详情' /topapi/v2/department/get): departments breadth-first from the
 * root (1) with `dept_manager_userid_list`, then every member's detail for `manager_userid` and `unionid`.
 * Contacts APIs do not count toward the monthly quota; the 20 QPS per API limit still applies (open-api.ts).
 */

/** DingTalk's root department id. */
const ROOT_DEPT = 1;

interface OapiResult<T> { errcode?: number; result?: T }
interface RawDept { dept_id?: number; name?: string; parent_id?: number; dept_manager_userid_list?: string[] }
interface RawUser { userid?: string; unionid?: string; name?: string; email?: string; mobile?: string; dept_id_list?: number[]; manager_userid?: string }

export function toDirectoryDepartment(d: RawDept): DirectoryDepartment | undefined {
  if (d.dept_id === undefined) return undefined;
  return {
    externalId: String(d.dept_id),
    name: d.name ?? String(d.dept_id),
    ...(d.parent_id !== undefined && d.dept_id !== ROOT_DEPT ? { parentExternalId: String(d.parent_id) } : {}),
    leaderExternalIds: d.dept_manager_userid_list ?? [],
  };
}

export function toDirectoryUser(u: RawUser): DirectoryUser | undefined {
  if (!u.userid) return undefined;
  return {
    externalId: u.userid,
    aliases: u.unionid ? [u.unionid] : [],
    name: u.name ?? u.userid,
    ...(u.email ? { email: u.email } : {}),
    ...(u.mobile ? { mobile: u.mobile } : {}),
    departmentExternalIds: (u.dept_id_list ?? []).map(String),
    ...(u.manager_userid ? { managerExternalId: u.manager_userid } : {}),
  };
}

export function createDingtalkDirectory(http: DingtalkHttp): DirectorySource {
  const post = <T>(path: string, body: unknown) => http.call<OapiResult<T>>({ style: 'oapi', method: 'POST', path, body });

  async function departmentIds(): Promise<number[]> {
    const seen: number[] = [];
    const queue = [ROOT_DEPT];
    while (queue.length) {
      const id = queue.shift() as number;
      seen.push(id);
      const res = await post<{ dept_id_list?: number[] }>('/topapi/v2/department/listsubid', { dept_id: id });
      for (const child of res.result?.dept_id_list ?? []) if (!seen.includes(child) && !queue.includes(child)) queue.push(child);
    }
    return seen;
  }

  return {
    async listDepartments() {
      const out: DirectoryDepartment[] = [];
      for (const id of await departmentIds()) {
        const d = toDirectoryDepartment((await post<RawDept>('/topapi/v2/department/get', { dept_id: id })).result ?? {});
        if (d) out.push(d);
      }
      return out;
    },
    async listUsers() {
      const ids = new Set<string>();
      for (const dept of await departmentIds()) {
        for (const uid of (await post<{ userid_list?: string[] }>('/topapi/user/listid', { dept_id: dept })).result?.userid_list ?? []) ids.add(uid);
      }
      const out: DirectoryUser[] = [];
      for (const userid of ids) {
        const u = toDirectoryUser((await post<RawUser>('/topapi/v2/user/get', { userid, language: 'zh_CN' })).result ?? {});
        if (u) out.push(u);
      }
      return out;
    },
  };
}
