import { randomUUID } from 'node:crypto';

/** Id generator port; injected so tests can make ids predictable. */
export interface IdGenerator {
  uuid(): string;
}

export const randomIds: IdGenerator = { uuid: () => randomUUID() };
