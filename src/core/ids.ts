import { randomUUID } from 'node:crypto';

/** Id generator port; injected so tests can make ids predictable. */
export interface IdGenerator {
  uuid(): string;
}

export const randomIds: IdGenerator = { uuid: () => randomUUID() };

/** External ids are namespaced by platform: "feishu:ou_xxx", "console:zhangsan". */
export function namespacedId(platform: string, id: string): string {
  return `${platform}:${id}`;
}
