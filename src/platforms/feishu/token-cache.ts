import type { Clock } from '../../core/clock.ts';

/**
 * Per-client store for the SDK's tenant_access_token. The SDK's default cache is process-global and keyed
 * only by app id (docs/platforms/feishu.md §1, §5.3), so two bots or two tests with one app id would share tokens.
 * The SDK stores `expire` as an absolute epoch-ms (token expiry − 3 min); we honour it with the injected clock.
 */
export interface SdkCache {
  set(key: string | { toString(): string }, value: unknown, expire?: number, options?: { namespace?: string }): Promise<boolean>;
  get(key: string | { toString(): string }, options?: { namespace?: string }): Promise<unknown>;
}

export function createTokenCache(clock: Clock): SdkCache & { clear(): void } {
  const values = new Map<string, { value: unknown; expiresAt: number | undefined }>();
  const keyOf = (key: string | { toString(): string }, ns?: string) => `${ns ?? ''}/${key.toString()}`;
  return {
    async set(key, value, expire, options) {
      values.set(keyOf(key, options?.namespace), { value, expiresAt: expire });
      return true;
    },
    async get(key, options) {
      const hit = values.get(keyOf(key, options?.namespace));
      if (!hit) return undefined;
      if (hit.expiresAt !== undefined && hit.expiresAt <= clock.now().getTime()) return undefined;
      return hit.value;
    },
    clear() { values.clear(); },
  };
}
