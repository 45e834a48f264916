import type { PlatformLogger } from '../platform.ts';

/** SDK log arguments can be AxiosErrors whose config carries the bearer token: keep only what is safe to log. */
function safe(m: unknown): string {
  if (typeof m === 'string') return m;
  if (m instanceof Error) {
    const status = (m as Error & { response?: { status?: unknown } }).response?.status;
    return `${m.name}: ${m.message}${typeof status === 'number' ? ` (HTTP ${status})` : ''}`;
  }
  return typeof m === 'number' || typeof m === 'boolean' ? String(m) : '[object]';
}

/** Adapts our structured logger to the Lark SDK's console-style `(...msg)` logger. */
export function sdkLogger(log: PlatformLogger, component: string) {
  const wrap = (fn: (o: object, m?: string) => void) => (...msg: unknown[]) => {
    fn({ component, detail: msg.map(safe).join(' ') }, 'lark-sdk');
  };
  // SDK "errors" include every failed HTTP call (429s we retry); api-call.ts reports the real outcome.
  return { error: wrap(log.warn.bind(log)), warn: wrap(log.warn.bind(log)), info: () => {}, debug: () => {}, trace: () => {} };
}
