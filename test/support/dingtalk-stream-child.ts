import { createInterface } from 'node:readline';
import { systemClock } from '../../src/core/clock.ts';
import { createStreamSource } from '../../src/platforms/dingtalk/stream-client.ts';
import { createDingtalkStreamReceiver } from '../../src/platforms/dingtalk/stream-receiver.ts';

/**
 * The DingTalk Stream receiver alone in a process, for the malformed-frame test: whether a bad frame ends the
 * process can only be seen from outside it. Connects to the gateway URL in argv; prints one JSON line per accepted
 * event (`{"event": id}`), and its stream stats when "stats" arrives on stdin. No handler for uncaught exceptions:
 * if anything throws out of a socket listener, the process exits with code 1, as in production.
 */
const [gateway] = process.argv.slice(2);
if (!gateway) throw new Error('usage: dingtalk-stream-child <gateway connections/open URL>');
const out = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
const logger = { info: () => {}, warn: () => {}, error: (o: object, m?: string) => process.stderr.write(`${m ?? ''} ${JSON.stringify(o)}\n`) };
const source = createStreamSource({ clientId: 'dingchild', clientSecret: 'child-secret', gateway, fetch, logger, baseBackoffMs: 50, maxBackoffMs: 200 });
const receiver = createDingtalkStreamReceiver({ botId: 'dt-child', tenantId: 't', source, clock: systemClock, logger });
await receiver.start(async (e) => { out({ event: e.eventId }); return {}; });
createInterface({ input: process.stdin }).on('line', (line) => { if (line.trim() === 'stats') out({ stats: source.stats() }); });
out({ ready: true });
