import type { PlatformLogger } from '../platform.ts';
import { abandonSocket, quietErrors, StreamConnection, type ConnectionHooks } from './stream-connection.ts';
import type { StreamFrame } from './types.ts';

/**
 * DingTalk Stream source: one live connection, a replacement opened BEFORE the old one closes, and frames that
 * can never take the process down (stream-connection.ts). Protocol: DingTalk 'Stream Mode 协议文档'
 * (open.dingtalk.com/document/direction/stream-mode-protocol-access-description; also
 * opensource.dingtalk.com/developerpedia/docs/learn/stream/protocol; docs/platforms/dingtalk.md §2):
 *  - the server rotates connections for load balancing: it sends SYSTEM `disconnect` and closes the TCP connection
 *    after 10 s of silence. We open the replacement at once and retire the old connection when the new one is up
 *    and the old one's unanswered frames are answered (or `drainMs` passed), as the Java SDK does
 *    (dingtalk-stream-sdk-java DefaultSessionPool: `goAway()` then a new ConnectionTask). Before, the client
 *    waited for the close and reconnected 1 s later: a gap at every rotation.
 *  - every ACK goes back on the connection its frame came on (the frame's `messageId` is only known there).
 *  - tickets are single-use and valid 90 s: every connection calls `connections/open` again.
 * One heartbeat timer for the process (ws ping; no pong or frame since the last tick → terminate → reconnect),
 * one reconnect timer, exponential backoff.
 */
export interface StreamSource {
  /** Register before `start()`: the gateway only pushes topics listed at connect time. */
  onCallback(topic: string, fn: (frame: StreamFrame) => void): void;
  /** ACK a CALLBACK frame (`{ response }` in the data) on the connection it arrived on. Never throws. */
  respond(messageId: string, response: unknown): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  stats(): StreamStats;
}

export interface StreamStats {
  callbacks: number;
  malformedFrames: number;
  malformedByReason: Record<string, number>;
  connectionsOpened: number;
  rotations: number;
  openConnections: number;
}

export interface StreamSourceOptions {
  clientId: string;
  clientSecret: string;
  gateway: string;
  fetch: typeof fetch;
  logger: PlatformLogger;
  /** First reconnect delay; doubles per failure up to `maxBackoffMs`. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Our heartbeat: ws ping this often, terminate when nothing came back since the previous tick. */
  heartbeatMs?: number;
  /** The gateway call and the WebSocket handshake each get this long before the attempt is retried. */
  connectTimeoutMs?: number;
  /** How long a rotated-out connection may stay open for its unanswered frames (the server closes it at ~10 s). */
  drainMs?: number;
}

/** The SDK's 8 s ping is too aggressive under load (soimy/openclaw-channel-dingtalk#88); 30 s tolerates a busy loop. */
const DEFAULT_HEARTBEAT_MS = 30_000;
/** The SDK retries after 1 s; start there, then back off so an outage is not hammered. */
const DEFAULT_BASE_BACKOFF_MS = 1_000;
const DEFAULT_MAX_BACKOFF_MS = 30_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Under the server's 10 s of silence before it closes a rotated connection. */
const DEFAULT_DRAIN_MS = 8_000;

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

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export function createStreamSource(opts: StreamSourceOptions): StreamSource {
  const base = opts.baseBackoffMs ?? DEFAULT_BASE_BACKOFF_MS;
  const max = opts.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
  const connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const drainMs = opts.drainMs ?? DEFAULT_DRAIN_MS;
  const listeners = new Map<string, (frame: StreamFrame) => void>();
  const inflight = new Map<string, StreamConnection>();
  const retiring = new Set<StreamConnection>();
  const stats: StreamStats = { callbacks: 0, malformedFrames: 0, malformedByReason: {}, connectionsOpened: 0, rotations: 0, openConnections: 0 };
  let current: StreamConnection | undefined;
  let stopped = true;
  /** The generation whose connect attempt is in flight; a stop() bumps the generation, so it no longer counts. */
  let connectingGen: number | undefined;
  const connecting = () => connectingGen === generation;
  /** The connection whose handshake is in flight: stop() abandons it (its SDK would print the hang-up). */
  let handshaking: StreamConnection | undefined;
  let failures = 0;
  let generation = 0;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let heartbeatTimer: NodeJS.Timeout | undefined;

  const hooks: ConnectionHooks = {
    onCallback(frame, conn) {
      inflight.set(frame.headers.messageId, conn);
      stats.callbacks += 1;
      const fn = listeners.get(frame.headers.topic);
      if (!fn) { opts.logger.warn({ topic: frame.headers.topic }, 'dingtalk stream frame for a topic nobody listens to'); return; }
      try {
        fn(frame);
      } catch (e: unknown) {
        hooks.onMalformed('handler_threw', errText(e), conn);
      }
    },
    onDisconnectNotice(conn) {
      if (conn !== current || stopped) return;
      stats.rotations += 1;
      opts.logger.info({ connection: conn.id }, 'dingtalk stream rotation: opening the replacement before the old connection closes');
      if (reconnectTimer) { clearTimeout(reconnectTimer); reconnectTimer = undefined; }
      void connect();
    },
    onMalformed(reason, sample, conn) {
      stats.malformedFrames += 1;
      stats.malformedByReason[reason] = (stats.malformedByReason[reason] ?? 0) + 1;
      opts.logger.warn({ reason, sample, connection: conn.id, malformedFrames: stats.malformedFrames }, 'dingtalk stream frame malformed; ignored');
    },
  };

  function scheduleReconnect(): void {
    if (stopped || reconnectTimer || connecting()) return;
    const delay = Math.min(max, base * 2 ** Math.min(failures, 10));
    failures += 1;
    reconnectTimer = setTimeout(() => { reconnectTimer = undefined; void connect(); }, delay);
  }

  /** A rotated-out connection closes once its frames are answered, or when `drainMs` is up. */
  function retire(conn: StreamConnection): void {
    retiring.add(conn);
    const done = () => { if (retiring.delete(conn)) conn.shut(); };
    if (conn.pending.size === 0) { done(); return; }
    setTimeout(done, drainMs).unref();
  }

  function onClosed(conn: StreamConnection, gen: number): void {
    stats.openConnections = Math.max(0, stats.openConnections - 1);
    retiring.delete(conn);
    for (const id of conn.pending) if (inflight.get(id) === conn) inflight.delete(id);
    if (conn !== current) return;
    current = undefined;
    if (gen !== generation) return;
    opts.logger.info({ connection: conn.id }, 'dingtalk stream closed; reconnecting');
    scheduleReconnect();
  }

  async function connect(): Promise<void> {
    if (stopped || connecting()) return;
    const gen = generation;
    connectingGen = gen;
    const conn = new StreamConnection({ clientId: opts.clientId, clientSecret: opts.clientSecret, gateway: opts.gateway, fetch: opts.fetch, connectTimeoutMs }, hooks, [...listeners.keys()]);
    handshaking = conn;
    try {
      await conn.getEndpoint();
      if (stopped || gen !== generation) throw new Error('stopped during the handshake');
      await deadline(conn._connect(), connectTimeoutMs, 'the stream handshake', () => abandonSocket(conn.ws()));
      quietErrors(conn.ws(), (message) => opts.logger.warn({ connection: conn.id, err: message }, 'dingtalk stream socket error'));
    } catch (e: unknown) {
      if (handshaking === conn) handshaking = undefined;
      if (connectingGen === gen) connectingGen = undefined;
      abandonSocket(conn.ws());
      if (gen !== generation) return; // stopped meanwhile: nothing to report or retry
      opts.logger.warn({ err: errText(e), failures }, 'dingtalk stream connect failed');
      if (gen === generation) scheduleReconnect();
      return;
    }
    if (handshaking === conn) handshaking = undefined;
    if (connectingGen === gen) connectingGen = undefined;
    const socket = conn.ws();
    if (stopped || gen !== generation || !socket) { abandonSocket(socket); return; }
    stats.openConnections += 1;
    stats.connectionsOpened += 1;
    socket.on('pong', () => { conn.alive = true; });
    socket.on('close', () => onClosed(conn, gen));
    const previous = current;
    current = conn;
    failures = 0;
    opts.logger.info({ connection: conn.id, replaces: previous?.id }, 'dingtalk stream connected');
    if (previous) retire(previous);
  }

  function heartbeat(): void {
    const conn = current;
    if (!conn?.isOpen()) return;
    if (!conn.alive) { opts.logger.warn({ connection: conn.id }, 'dingtalk stream heartbeat missed; terminating socket'); conn.ws()?.terminate(); return; }
    conn.alive = false;
    conn.ws()?.ping();
  }

  return {
    onCallback(topic, fn) {
      listeners.set(topic, fn);
    },
    respond(messageId, response) {
      const conn = inflight.get(messageId);
      inflight.delete(messageId);
      conn?.pending.delete(messageId);
      // The connection may be gone (closed, rotated out): the frame goes unacknowledged and the platform
      // pushes it again, which the inbox dedupes. Never let that throw into the caller.
      if (!conn?.isOpen()) {
        opts.logger.warn({ messageId }, 'dingtalk ACK not sent (socket not open); the platform will push the frame again');
      } else {
        try {
          conn.socketCallBackResponse(messageId, response);
        } catch (e: unknown) {
          opts.logger.warn({ messageId, err: errText(e) }, 'dingtalk ACK not sent (socket not open); the platform will push the frame again');
        }
      }
      if (conn && retiring.has(conn) && conn.pending.size === 0 && retiring.delete(conn)) conn.shut();
    },
    async start() {
      if (!stopped) return;
      stopped = false;
      heartbeatTimer = setInterval(heartbeat, opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
      heartbeatTimer.unref();
      await connect();
    },
    async stop() {
      stopped = true;
      generation += 1;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      if (heartbeatTimer) clearInterval(heartbeatTimer);
      reconnectTimer = undefined;
      heartbeatTimer = undefined;
      for (const conn of [current, ...retiring]) conn?.shut();
      abandonSocket(handshaking?.ws());
      handshaking = undefined;
      retiring.clear();
      current = undefined;
      inflight.clear();
    },
    stats: () => ({ ...stats, malformedByReason: { ...stats.malformedByReason } }),
  };
}
