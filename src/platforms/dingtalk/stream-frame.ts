import type { StreamFrame } from './types.ts';

/**
 * Checks one downstream Stream frame before anything reads it. dingtalk-stream's DWClient.onDownStream runs
 * `JSON.parse(data)` and then reads `msg.headers.topic` / `message.headers.messageId` inside the WebSocket's
 * 'message' listener (node_modules/dingtalk-stream/dist/client.mjs, onDownStream / onSystem / onCallback): a
 * frame that is not JSON or has no `headers` throws there, and an exception in that listener ends the process.
 * Here every frame is parsed once, shapes are checked, and a bad frame becomes a value with a reason. Pure.
 *
 * Frame shape (DingTalk Stream protocol, opensource.dingtalk.com/developerpedia/docs/learn/stream/protocol,
 * "消息格式"): `{ specVersion, type: SYSTEM | EVENT | CALLBACK, headers: { messageId, topic, … }, data: <JSON
 * string> }`. The upstream ACK echoes `headers.messageId`, so a frame without one cannot be answered.
 */
export type FrameType = 'SYSTEM' | 'EVENT' | 'CALLBACK';

export type MalformedReason = 'not_json' | 'not_object' | 'unknown_type' | 'no_headers' | 'no_topic' | 'no_message_id' | 'no_data';

export type ParsedFrame =
  | { ok: true; frame: StreamFrame & { type: FrameType } }
  | { ok: false; reason: MalformedReason; messageId?: string };

const TYPES = new Set<string>(['SYSTEM', 'EVENT', 'CALLBACK']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Header values are strings in the protocol; anything else is dropped rather than trusted. */
function stringHeaders(h: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (typeof v === 'string') out[k] = v;
  return out;
}

export function parseDownstreamFrame(raw: string): ParsedFrame {
  let msg: unknown;
  try { msg = JSON.parse(raw); } catch { return { ok: false, reason: 'not_json' }; }
  if (!isRecord(msg)) return { ok: false, reason: 'not_object' };
  const type = msg['type'];
  if (typeof type !== 'string' || !TYPES.has(type)) return { ok: false, reason: 'unknown_type' };
  if (!isRecord(msg['headers'])) return { ok: false, reason: 'no_headers' };
  const headers = stringHeaders(msg['headers']);
  const { topic, messageId } = headers;
  const id = messageId ? { messageId } : {};
  if (!topic) return { ok: false, reason: 'no_topic', ...id };
  const data = msg['data'];
  // SYSTEM notices other than ping (disconnect, KEEPALIVE, …) need neither an id nor a body to be acted on.
  const needsAnswer = type !== 'SYSTEM' || topic === 'ping';
  if (needsAnswer && !messageId) return { ok: false, reason: 'no_message_id' };
  if (needsAnswer && typeof data !== 'string') return { ok: false, reason: 'no_data', ...id };
  return {
    ok: true,
    frame: { type: type as FrameType, headers: { ...headers, messageId: messageId ?? '', topic }, data: typeof data === 'string' ? data : '' },
  };
}
