/**
 * Minimal protobuf codec for the Feishu long-connection frame `pbbp2.Frame` (docs/platforms/feishu.md §5.2):
 * SeqID(1,uint64) LogID(2,uint64) service(3,int32) method(4,int32: 0 control, 1 data)
 * headers(5, repeated {key(1), value(2)}) payload_encoding(6) payload_type(7) payload(8,bytes) LogIDNew(9).
 * Written by hand so the fake does not depend on the SDK's bundled protobufjs.
 */
export interface WsFrame {
  SeqID: number;
  LogID: number;
  service: number;
  method: number;
  headers: { key: string; value: string }[];
  payload?: Buffer;
}

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) { out.push((v % 0x80) | 0x80); v = Math.floor(v / 0x80); }
  out.push(v);
  return out;
}

const tag = (field: number, wire: number) => varint(field * 8 + wire);
const bytesField = (field: number, b: Buffer) => [...tag(field, 2), ...varint(b.length), ...b];
const stringField = (field: number, s: string) => bytesField(field, Buffer.from(s, 'utf8'));

export function encodeFrame(f: WsFrame): Buffer {
  const out: number[] = [
    ...tag(1, 0), ...varint(f.SeqID), ...tag(2, 0), ...varint(f.LogID),
    ...tag(3, 0), ...varint(f.service), ...tag(4, 0), ...varint(f.method),
  ];
  for (const h of f.headers) out.push(...bytesField(5, Buffer.from([...stringField(1, h.key), ...stringField(2, h.value)])));
  if (f.payload) out.push(...bytesField(8, f.payload));
  return Buffer.from(out);
}

function readVarint(buf: Buffer, pos: number): [number, number] {
  let result = 0;
  let mul = 1;
  let p = pos;
  for (;;) {
    const b = buf[p++];
    if (b === undefined) throw new Error('truncated varint');
    result += (b & 0x7f) * mul;
    if (b < 0x80) return [result, p];
    mul *= 0x80;
  }
}

function fields(buf: Buffer, visit: (field: number, value: number | Buffer) => void): void {
  let pos = 0;
  while (pos < buf.length) {
    const [key, p1] = readVarint(buf, pos);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) { const [v, p2] = readVarint(buf, p1); visit(field, v); pos = p2; }
    else if (wire === 2) { const [len, p2] = readVarint(buf, p1); visit(field, buf.subarray(p2, p2 + len)); pos = p2 + len; }
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

export function decodeFrame(buf: Buffer): WsFrame {
  const f: WsFrame = { SeqID: 0, LogID: 0, service: 0, method: 0, headers: [] };
  fields(buf, (field, v) => {
    if (typeof v === 'number') {
      if (field === 1) f.SeqID = v; else if (field === 2) f.LogID = v; else if (field === 3) f.service = v; else if (field === 4) f.method = v;
      return;
    }
    if (field === 5) {
      const h = { key: '', value: '' };
      fields(v, (hf, hv) => { if (typeof hv !== 'number') { if (hf === 1) h.key = hv.toString('utf8'); else if (hf === 2) h.value = hv.toString('utf8'); } });
      f.headers.push(h);
    } else if (field === 8) {
      f.payload = Buffer.from(v);
    }
  });
  return f;
}

export const header = (f: WsFrame, key: string): string | undefined => f.headers.find((h) => h.key === key)?.value;
