import { DWClient } from 'dingtalk-stream';
import { parseDownstreamFrame, type MalformedReason } from './stream-frame.ts';
import type { StreamFrame } from './types.ts';

/**
 * ONE Stream connection: a dingtalk-stream DWClient pointed at a configurable gateway, whose frame handling
 * cannot throw. DWClient holds a single socket, and a rotation needs two at once (the replacement opens before
 * the old one closes), so the source (stream-client.ts) makes one of these per connection. From the SDK we keep
 * the WebSocket handshake (`_connect`), the ping echo (`onSystem`), the EVENT ACK (`onEvent`) and the ACK
 * encoding (`socketCallBackResponse`); `onDownStream` is replaced because the SDK's parses and dispatches inside
 * the socket's 'message' listener, where a malformed frame throws and ends the process (stream-frame.ts).
 */
export interface ConnectionHooks {
  onCallback(frame: StreamFrame, conn: StreamConnection): void;
  /** SYSTEM `disconnect`: the gateway will close this connection after ~10 s of silence. */
  onDisconnectNotice(conn: StreamConnection): void;
  onMalformed(reason: MalformedReason | 'handler_threw', sample: string, conn: StreamConnection): void;
}

/** The few `ws` socket members we use; DWClient keeps its socket private. */
export interface SocketLike {
  readyState: number;
  on(event: 'close' | 'pong' | 'message', fn: () => void): void;
  on(event: 'error', fn: (e: unknown) => void): void;
  removeAllListeners(event: 'error'): void;
  ping(): void;
  close(): void;
  terminate(): void;
}

export const WS_OPEN = 1;

/**
 * Ends a socket we gave up on (a stalled handshake). The SDK's own 'error' listener prints the error with its stack
 * to the console (`console.warn("ERROR", err)` in DWClient.\_connect); terminating a connecting `ws` always errors
 * ("closed before the connection was established"), an outcome we expect and log ourselves, so it is swallowed.
 */
export function abandonSocket(s: SocketLike | undefined): void {
  quietErrors(s, () => undefined);
  s?.terminate();
}

/**
 * Once a connection is up, socket errors go to our logger as one line instead of the SDK's console print with a
 * stack; the 'close' that follows an error drives the reconnect.
 */
export function quietErrors(s: SocketLike | undefined, log: (message: string) => void): void {
  if (!s) return;
  s.removeAllListeners('error');
  s.on('error', (e: unknown) => log(e instanceof Error ? e.message : String(e)));
}

export interface ConnectionOptions {
  clientId: string;
  clientSecret: string;
  /** The `connections/open` URL; the SDK hard-codes api.dingtalk.com, hence the `getEndpoint()` override. */
  gateway: string;
  fetch: typeof fetch;
  connectTimeoutMs: number;
}

let nextId = 0;

export class StreamConnection extends DWClient {
  readonly id = ++nextId;
  /** Frames received here and not yet answered: a retiring connection stays open until they are. */
  readonly pending = new Set<string>();
  alive = true;

  constructor(private readonly opts: ConnectionOptions, private readonly hooks: ConnectionHooks, topics: string[]) {
    // The SDK's own reconnect and keep-alive are off: it races `error` and `close` and leaks sockets
    // (dingtalk-stream-sdk-nodejs#18), and re-arms its keep-alive interval on every connect (#13).
    const config = {
      clientId: opts.clientId, clientSecret: opts.clientSecret, keepAlive: false, autoReconnect: false,
      // EVENT '*' is the SDK's default subscription, kept; the gateway pushes only subscribed topics.
      subscriptions: [{ type: 'EVENT', topic: '*' }, ...topics.map((topic) => ({ type: 'CALLBACK', topic }))],
    };
    super(config);
  }

  override async getEndpoint(): Promise<this> {
    const res = await this.opts.fetch(this.opts.gateway, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ clientId: this.config.clientId, clientSecret: this.config.clientSecret, ua: 'approval-assistant', subscriptions: this.config.subscriptions }),
      signal: AbortSignal.timeout(this.opts.connectTimeoutMs),
    });
    const body = (await res.json().catch(() => ({}))) as { endpoint?: string; ticket?: string };
    if (!res.ok || !body.endpoint || !body.ticket) throw new Error(`gateway answered ${res.status} without endpoint/ticket`);
    Reflect.set(this, 'dw_url', `${body.endpoint}?ticket=${encodeURIComponent(body.ticket)}`);
    return this;
  }

  /** Replaces the SDK's dispatcher: parse once, check the shape, never throw out of the socket listener. */
  override onDownStream(data: string): void {
    const raw = String(data);
    try {
      const parsed = parseDownstreamFrame(raw);
      if (!parsed.ok) { this.hooks.onMalformed(parsed.reason, raw.slice(0, 200), this); return; }
      const frame = parsed.frame;
      this.alive = true;
      if (frame.type === 'CALLBACK') { this.pending.add(frame.headers.messageId); this.hooks.onCallback(frame, this); return; }
      if (frame.type === 'EVENT') { this.onEvent(asSdkFrame(frame)); return; }
      if (frame.headers.topic === 'disconnect') { this.hooks.onDisconnectNotice(this); return; }
      this.onSystem(asSdkFrame(frame)); // ping echo; CONNECTED / REGISTERED / KEEPALIVE set SDK flags only
    } catch (e: unknown) {
      this.hooks.onMalformed('handler_threw', `${e instanceof Error ? e.message : String(e)} :: ${raw.slice(0, 160)}`, this);
    }
  }

  ws(): SocketLike | undefined {
    return Reflect.get(this, 'socket') as SocketLike | undefined; // DWClient keeps it private
  }

  isOpen(): boolean {
    return this.ws()?.readyState === WS_OPEN;
  }

  /** Graceful close when open (the peer sees a close frame), else drop the TCP connection. */
  shut(): void {
    const s = this.ws();
    if (!s) return;
    if (s.readyState === WS_OPEN) {
      s.close();
      setTimeout(() => s.terminate(), 2_000).unref();
    } else {
      abandonSocket(s);
    }
  }
}

/** The SDK's own frame type: the same fields, with the headers it declares. */
function asSdkFrame(f: StreamFrame): Parameters<DWClient['onSystem']>[0] {
  const h = f.headers;
  return {
    specVersion: '1.0', type: f.type, data: f.data,
    headers: { appId: h['appId'] ?? '', connectionId: h['connectionId'] ?? '', contentType: h['contentType'] ?? 'application/json', messageId: h.messageId, time: h['time'] ?? '', topic: h.topic },
  };
}
