import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { TOPIC_CARD, TOPIC_ROBOT } from 'dingtalk-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDingtalkServer, type FakeDingtalkServer } from '../../../fakes/dingtalk-server.ts';
import { until } from '../../../support/until.ts';

/**
 * The receiver runs in a child process (test/support/dingtalk-stream-child.ts) so that a frame that throws out of
 * the WebSocket listener shows as what it is in production: the process exiting with code 1. The fake gateway
 * sends garbage frames interleaved with valid robot messages; every valid one must still be accepted and ACKed.
 */
const GARBAGE: [string, string][] = [
  ['not JSON', 'hello, not json'],
  ['truncated JSON', '{"specVersion":"1.0","type":"CALLBACK","headers":{'],
  ['JSON array', '[1,2,3]'],
  ['JSON number', '42'],
  ['JSON null', 'null'],
  ['CALLBACK without headers', JSON.stringify({ specVersion: '1.0', type: 'CALLBACK', data: '{}' })],
  ['EVENT without headers', JSON.stringify({ specVersion: '1.0', type: 'EVENT', data: '{}' })],
  ['headers not an object', JSON.stringify({ type: 'CALLBACK', headers: 'x', data: '{}' })],
  ['SYSTEM without topic', JSON.stringify({ type: 'SYSTEM', headers: { messageId: 's1' }, data: '{}' })],
  ['SYSTEM ping without messageId', JSON.stringify({ type: 'SYSTEM', headers: { topic: 'ping' }, data: '{"opaque":"o"}' })],
  ['CALLBACK without data', JSON.stringify({ type: 'CALLBACK', headers: { topic: TOPIC_ROBOT, messageId: 'c1' } })],
  ['CALLBACK without messageId', JSON.stringify({ type: 'CALLBACK', headers: { topic: TOPIC_ROBOT }, data: '{}' })],
  ['CALLBACK with data as an object', JSON.stringify({ type: 'CALLBACK', headers: { topic: TOPIC_CARD, messageId: 'c2' }, data: { outTrackId: 'o' } })],
  ['unknown type', JSON.stringify({ type: 'PUSH', headers: { topic: 't', messageId: 'p1' }, data: '{}' })],
  ['no type', JSON.stringify({ headers: { topic: TOPIC_ROBOT, messageId: 'n1' }, data: '{}' })],
];

let fake: FakeDingtalkServer;
let child: ChildProcessWithoutNullStreams;
const lines: Record<string, unknown>[] = [];
let exit: { code: number | null; signal: string | null } | undefined;
let stderr = '';

beforeAll(async () => {
  fake = await startFakeDingtalkServer();
  child = spawn(process.execPath, ['--import', 'tsx', 'test/support/dingtalk-stream-child.ts', `${fake.url}/v1.0/gateway/connections/open`], { stdio: 'pipe' });
  child.on('exit', (code, signal) => { exit = { code, signal }; });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  // The SDK prints its own lines ("connect success"): keep only ours.
  createInterface({ input: child.stdout }).on('line', (l) => { try { lines.push(JSON.parse(l) as Record<string, unknown>); } catch { /* SDK console output */ } });
  await until(async () => lines.some((l) => l['ready']) || exit !== undefined, (ok) => ok, 30_000);
  expect(exit, stderr).toBeUndefined();
  await fake.waitForConnections(1, 10_000);
}, 60_000);

afterAll(async () => {
  if (exit === undefined) child.kill('SIGTERM');
  await fake.close();
});

const robotMessage = (i: number) => ({
  conversationId: 'cid_u', conversationType: '1', msgId: `valid-${i}`, senderStaffId: 'staff_u', senderNick: 'u',
  isInAtList: true, robotCode: 'dingchild', msgtype: 'text', text: { content: `hello ${i}` }, createAt: 1_700_000_000_000,
});

describe('dingtalk stream: malformed frames (receiver in a child process)', () => {
  it('stays up, counts every malformed frame, and still delivers the valid events sent between and after them', async () => {
    let sent = 0;
    for (const [i, [, garbage]] of GARBAGE.entries()) {
      fake.gateway.sendRaw(garbage);
      sent += 1;
      const ack = await fake.pushCallback(TOPIC_ROBOT, robotMessage(i), `frame-${i}`, 10_000);
      expect(ack.code).toBe(200);
    }
    // And a few more after the last bad frame.
    for (let i = GARBAGE.length; i < GARBAGE.length + 3; i++) await fake.pushCallback(TOPIC_ROBOT, robotMessage(i), `frame-${i}`, 10_000);
    const valid = GARBAGE.length + 3;

    child.stdin.write('stats\n');
    const statsLine = await until(async () => lines.find((l) => l['stats']), (l) => l !== undefined || exit !== undefined);
    const stats = statsLine?.['stats'] as { malformedFrames: number; malformedByReason: Record<string, number>; callbacks: number };
    const delivered = lines.filter((l) => typeof l['event'] === 'string').map((l) => l['event']);

    console.info(`dingtalk malformed-frame run: frames sent ${sent} malformed + ${valid} valid; crashes ${exit === undefined ? 0 : 1}; `
      + `malformed counted ${stats.malformedFrames} ${JSON.stringify(stats.malformedByReason)}; events delivered ${delivered.length}/${valid}`);
    expect(exit, stderr).toBeUndefined();
    expect(stats.malformedFrames).toBe(GARBAGE.length);
    expect(delivered).toEqual(Array.from({ length: valid }, (_, i) => `valid-${i}`));
    expect(fake.gateway.upstreamProblems).toEqual([]);
    // One connection the whole time: nothing was dropped or reconnected because of a bad frame.
    expect(fake.connections).toBe(1);
  }, 60_000);
});
