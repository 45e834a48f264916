import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface FixtureUser {
  id: string;
  name: string;
  department: string;
  manager?: string;
  roles: string[];
  identities?: { platform: string; bot: string; id: string }[];
}

/** The demo org (as in directory/demo.yaml): zhangsan → lisi (sales) → admin; wangwu is finance. */
export const DEMO_USERS: FixtureUser[] = [
  { id: 'zhangsan', name: '张三', department: 'sales', manager: 'lisi', roles: ['employee'] },
  { id: 'lisi', name: '李四', department: 'sales', manager: 'admin', roles: ['employee', 'manager'] },
  { id: 'wangwu', name: '王五', department: 'finance', manager: 'admin', roles: ['employee', 'finance'] },
  { id: 'admin', name: '管理员', department: 'hq', roles: ['admin'] },
];

const DEMO_DEPARTMENTS = [
  { id: 'hq', name: '总部', leaders: ['admin'] },
  { id: 'sales', name: '销售部', parent: 'hq', leaders: ['lisi'] },
  { id: 'finance', name: '财务部', parent: 'hq', leaders: ['wangwu'] },
];

/** Writes a directory YAML (demo departments, the given users) to a temp file; returns its path. */
export function writeDirectoryFile(users: FixtureUser[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'aa-dir-')), 'directory.yaml');
  writeFileSync(file, stringify({ tenant: 'default', departments: DEMO_DEPARTMENTS, users }));
  return file;
}

/** The demo people plus `extra` employees (u001…) reporting to lisi. */
export function writeDirectory(extra: number): string {
  const more = Array.from({ length: extra }, (_, i) => ({ id: `u${String(i + 1).padStart(3, '0')}`, name: `员工${i + 1}`, department: 'sales', manager: 'lisi', roles: ['employee'] }));
  return writeDirectoryFile([...DEMO_USERS, ...more]);
}
