import { connect, createServer, type Server, type Socket } from 'node:net';

/** A TCP server on 127.0.0.1 that accepts connections and never answers: a black-holed database. */
export interface BlackHole { port: number; close(): Promise<void> }

export async function startBlackHole(): Promise<BlackHole> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(server);
  return { port, close: () => closeAll(server, sockets) };
}

/**
 * A TCP forwarder to a real server that the test can black-hole: from `blackhole(true)` on, bytes stop
 * flowing both ways on open connections and new connections are accepted but never answered, as when a
 * network path drops packets. `blackhole(false)` lets everything through again (held bytes included).
 */
export interface TcpProxy { port: number; blackhole(on: boolean): void; close(): Promise<void> }

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let holed = false;
  /** Bytes held while black-holed, per direction, written on when the hole closes. */
  const held: { to: Socket; chunks: Buffer[] }[] = [];
  const track = (s: Socket): void => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  };
  const forward = (from: Socket, to: Socket): void => {
    const h = { to, chunks: [] as Buffer[] };
    held.push(h);
    from.on('data', (c: Buffer) => { if (holed) h.chunks.push(c); else to.write(c); });
    from.on('close', () => to.destroy());
  };
  const server = createServer((client) => {
    track(client);
    const upstream = connect(target.port, target.host);
    track(upstream);
    forward(client, upstream);
    forward(upstream, client);
  });
  const port = await listen(server);
  return {
    port,
    blackhole(on) {
      holed = on;
      if (on) return;
      for (const h of held) for (const c of h.chunks.splice(0)) if (!h.to.destroyed) h.to.write(c);
    },
    close: () => closeAll(server, sockets),
  };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    });
  });
}

function closeAll(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}
