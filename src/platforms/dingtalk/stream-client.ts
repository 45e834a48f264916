import { DWClient } from 'dingtalk-stream';
import type { PlatformLogger } from '../platform.ts';
import type { StreamFrame } from './types.ts';

/**
 * Our interface over dingtalk-stream's DWClient (im-platforms.md B1). We keep the SDK's frame parsing and ACK
 * encoding but own the connection lifecycle, because of its known bugs (B1.4, C2): the SDK's own reconnect
 * (disabled here) races `error` and `close` and leaks sockets (#18), and its keep-alive interval is re-armed on
 * every connect without being cleared (#13). Here: one socket at a time, one heartbeat timer, one reconnect
 * timer, exponential backoff.
 */
export interface StreamSource {
  /** Register before `start()`: the gateway only pushes topics listed at connect time. */
  onCallback(topic: string, fn: (frame: StreamFrame) => void): void;
  /** ACK a CALLBACK frame: `{ response }` in the data (B1.2). */
  respond(messageId: string, response: unknown): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface StreamSourceOptions {
  clientId: string;
  clientSecret: string;
  /** The `connections/open` URL; the SDK hard-codes api.dingtalk.com (B1.5), we override `getEndpoint()`. */
  gateway: string;
  fetch: typeof fetch;
  logger: PlatformLogger;
  /** First reconnect delay; doubles per failure up to `maxBackoffMs`. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Our heartbeat: ws ping this often, terminate when the previous ping got no pong. */
  heartbeatMs?: number;
  /** The gateway call and the WebSocket handshake each get this long before the attempt is retried. */
  connectTimeoutMs?: number;
}

/** The SDK's 8 s ping is too aggressive under load (C2); 30 s tolerates a busy event loop. */
const DEFAULT_HEARTBEAT_MS = 30_000;
/** The SDK retries after 1 s; start there, then back off so an outage is not hammered. */
const DEFAULT_BASE_BACKOFF_MS = 1_000;
const DEFAULT_MAX_BACKOFF_MS = 30_000;

/** The few `ws` socket members we touch; DWClient keeps its socket private. */
interface SocketLike {
  readyState: number;
  on(event: 'close' | 'pong' | 'message', fn: () => void): void;
  ping(): void;
  terminate(): void;
}

const WS_OPEN = 1;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Rejects after `ms` (and runs `onTimeout`) unless `p` settles first. */
async function deadline<T>(p: Promise<T>, ms: number, what: string, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => { onTimeout(); reject(new Error(`${what} took over ${ms} ms`)); }, ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** DWClient pointed at a configurable gateway. Everything else is the SDK's code. */
class GatewayDwClient extends DWClient {
  constructor(private readonly opts: StreamSourceOptions) {
    const config = { clientId: opts.clientId, clientSecret: opts.clientSecret, keepAlive: false, autoReconnect: false };
    super(config);
  }

  override async getEndpoint(): Promise<this> {
    const res = await this.opts.fetch(this.opts.gateway, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ clientId: this.config.clientId, clientSecret: this.config.clientSecret, ua: 'approval-assistant', subscriptions: this.config.subscriptions }),
      signal: AbortSignal.timeout(this.opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS),
    });
    const body = (await res.json().catch(() => ({}))) as { endpoint?: string; ticket?: string };
    if (!res.ok || !body.endpoint || !body.ticket) throw new Error(`gateway answered ${res.status} without endpoint/ticket`);
    Reflect.set(this, 'dw_url', `${body.endpoint}?ticket=${encodeURIComponent(body.ticket)}`);
    return this;
  }

  currentSocket(): SocketLike | undefined {
    return Reflect.get(this, 'socket') as SocketLike | undefined;
  }
}

export function createStreamSource(opts: StreamSourceOptions): StreamSource {
  const client = new GatewayDwClient(opts);
  const base = opts.baseBackoffMs ?? DEFAULT_BASE_BACKOFF_MS;
  const max = opts.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
  let stopped = true;
  let failures = 0;
  let generation = 0;
  let alive = false;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let heartbeatTimer: NodeJS.Timeout | undefined;

  function scheduleReconnect(): void {
    if (stopped || reconnectTimer) return;
    const delay = Math.min(max, base * 2 ** Math.min(failures, 10));
    failures += 1;
    reconnectTimer = setTimeout(() => { reconnectTimer = undefined; void connectOnce(); }, delay);
  }

  async function connectOnce(): Promise<void> {
    if (stopped) return;
    const gen = ++generation;
    client.currentSocket()?.terminate();
    try {
      await client.getEndpoint();
      await deadline(client._connect(), opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, 'the stream handshake', () => client.currentSocket()?.terminate());
    } catch (e: unknown) {
      opts.logger.warn({ err: e instanceof Error ? e.message : String(e), failures }, 'dingtalk stream connect failed');
      if (gen === generation) scheduleReconnect();
      return;
    }
    const socket = client.currentSocket();
    if (stopped || gen !== generation || !socket) { socket?.terminate(); return; }
    failures = 0;
    alive = true;
    socket.on('pong', () => { alive = true; });
    socket.on('message', () => { alive = true; });
    socket.on('close', () => {
      if (gen !== generation) return;
      opts.logger.info({}, 'dingtalk stream closed; reconnecting');
      scheduleReconnect();
    });
    opts.logger.info({}, 'dingtalk stream connected');
  }

  function heartbeat(): void {
    const socket = client.currentSocket();
    if (!socket || socket.readyState !== WS_OPEN) return;
    if (!alive) { opts.logger.warn({}, 'dingtalk stream heartbeat missed; terminating socket'); socket.terminate(); return; }
    alive = false;
    socket.ping();
  }

  return {
    onCallback(topic, fn) {
      client.registerCallbackListener(topic, (frame) => fn(frame as StreamFrame));
    },
    respond(messageId, response) {
      // The socket may be closed or still connecting (a reconnect): the frame goes unacknowledged and the
      // platform pushes it again, which the inbox dedupes. Never let that throw into the caller.
      try {
        client.socketCallBackResponse(messageId, response);
      } catch (e: unknown) {
        opts.logger.warn({ messageId, err: e instanceof Error ? e.message : String(e) }, 'dingtalk ACK not sent (socket not open); the platform will push the frame again');
      }
    },
    async start() {
      if (!stopped) return;
      stopped = false;
      heartbeatTimer = setInterval(heartbeat, opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
      heartbeatTimer.unref();
      await connectOnce();
    },
    async stop() {
      stopped = true;
      generation += 1;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      if (heartbeatTimer) clearInterval(heartbeatTimer);
      reconnectTimer = undefined;
      heartbeatTimer = undefined;
      client.disconnect();
      client.currentSocket()?.terminate();
    },
  };
}
