import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkAuth, checkChatRequest, forcedFunction } from './openai-rules.ts';

/**
 * A loopback OpenAI-compatible chat completions server for tests: the real `openai` SDK talks to it.
 * It records every request body and answers from a script (one reply per request, the last one
 * repeats): a tool call with given arguments (object or raw string), plain content, an HTTP error,
 * or any of these after a delay (to test timeouts). Before the script it refuses what OpenAI refuses
 * (openai-rules.ts): a missing or wrong bearer key, a malformed body, a strict tool schema that breaks
 * the Structured Outputs rules, a forced tool that is not offered. Only requests it answered with a
 * completion count in `completions`.
 */
export type FakeReply =
  /** `name`: the function the model calls; default the one `tool_choice` forces. */
  | { kind: 'tool'; args: unknown; name?: string; delayMs?: number }
  | { kind: 'content'; content: string; delayMs?: number }
  | { kind: 'error'; status: number; delayMs?: number };

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: { model?: string; messages?: { role: string; content: string }[]; tools?: unknown[]; tool_choice?: unknown; [k: string]: unknown };
}

export interface FakeOpenAiServer {
  baseUrl: string;
  requests: RecordedRequest[];
  /** Requests answered with a completion (not refused, not a scripted error). */
  completions: number;
  script(...replies: FakeReply[]): void;
  close(): Promise<void>;
}

function completion(reply: Exclude<FakeReply, { kind: 'error' }>, model: string, forced: string | undefined): object {
  const message = reply.kind === 'tool'
    ? {
      role: 'assistant', content: null,
      tool_calls: [{
        id: 'call_1', type: 'function',
        function: { name: reply.name ?? forced ?? 'unnamed', arguments: typeof reply.args === 'string' ? reply.args : JSON.stringify(reply.args) },
      }],
    }
    : { role: 'assistant', content: reply.content };
  return {
    id: 'chatcmpl-fake', object: 'chat.completion', created: Math.floor(Date.now() / 1000), model,
    choices: [{ index: 0, message, finish_reason: reply.kind === 'tool' ? 'tool_calls' : 'stop', logprobs: null }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export interface FakeOpenAiOptions {
  /** The one key this server accepts as `Authorization: Bearer <key>`. */
  apiKey?: string;
}

export async function startFakeOpenAi(options: FakeOpenAiOptions = {}): Promise<FakeOpenAiServer> {
  const apiKey = options.apiKey ?? 'sk-test';
  const requests: RecordedRequest[] = [];
  let completions = 0;
  let queue: FakeReply[] = [{ kind: 'tool', args: { action: 'none', intent: null, fields: {} } }];
  const timers = new Set<NodeJS.Timeout>();
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req);
    let body: RecordedRequest['body'];
    try {
      body = raw ? (JSON.parse(raw) as RecordedRequest['body']) : {};
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error', param: null, code: null } }));
      return;
    }
    requests.push({ path: req.url ?? '', headers: req.headers, body });
    const refused = checkAuth(req.headers.authorization, apiKey) ?? (req.url?.endsWith('/chat/completions') ? checkChatRequest(body) : null);
    if (refused) {
      res.writeHead(refused.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: refused.error }));
      return;
    }
    const reply = (queue.length > 1 ? queue.shift() : queue[0]) as FakeReply;
    const send = (): void => {
      if (res.destroyed) return;
      if (!req.url?.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
      } else if (reply.kind === 'error') {
        res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'scripted failure', type: 'server_error' } }));
      } else {
        completions += 1;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completion(reply, body.model ?? 'fake', forcedFunction(body))));
      }
    };
    if (reply.delayMs) {
      const t = setTimeout(() => { timers.delete(t); send(); }, reply.delayMs);
      timers.add(t);
    } else {
      send();
    }
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      res.writeHead(500).end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    get completions() { return completions; },
    script(...replies: FakeReply[]) { queue = replies; },
    close: () => new Promise<void>((resolve) => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
