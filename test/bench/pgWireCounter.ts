/**
 * A TCP proxy on loopback between a PostgreSQL client and server that counts what crosses
 * the wire: bytes each way, and the statements the client sends (the frontend protocol's
 * `Query` and `Execute` messages, parsed from the byte stream after the startup message).
 * The database bench points the extension at it, so "bytes per listed run" and "queries
 * while idle" are real counts of the extension's own connections. Its counters are served as
 * JSON on a second loopback port, for the extension host to read.
 */
import * as http from 'http';
import * as net from 'net';

export interface WireCounters {
  /** Bytes from the clients to the server. */
  toServer: number;
  /** Bytes from the server to the clients. */
  toClient: number;
  /** Statements sent: simple `Query` (Q) and extended-protocol `Execute` (E) messages. */
  statements: number;
  /** Connections opened through the proxy. */
  connections: number;
  /** `Terminate` (X) messages: a client closing a connection (the pool dropping an idle one). */
  terminations: number;
}

export interface WireCounter {
  readonly port: number;
  /** `http://127.0.0.1:PORT/`: GET gives the counters as JSON. */
  readonly statsUrl: string;
  counters(): WireCounters;
  close(): Promise<void>;
}

/** Counts the frontend messages of one client connection, fed its bytes in order. */
export class FrontendParser {
  private buffer: Buffer = Buffer.alloc(0);
  private started = false;
  constructor(private readonly onMessage: (type: string) => void) {}

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : Buffer.from(chunk);
    for (;;) {
      if (!this.started) {
        // The startup packet (and an SSLRequest/GSSENCRequest before it) has no type byte.
        if (this.buffer.length < 8) return;
        const length = this.buffer.readInt32BE(0);
        if (this.buffer.length < length) return;
        const code = this.buffer.readInt32BE(4);
        this.buffer = this.buffer.subarray(length);
        if (code !== 80877103 && code !== 80877104) this.started = true;
        continue;
      }
      if (this.buffer.length < 5) return;
      const length = this.buffer.readInt32BE(1);
      if (this.buffer.length < 1 + length) return;
      this.onMessage(String.fromCharCode(this.buffer[0]));
      this.buffer = this.buffer.subarray(1 + length);
    }
  }
}

export async function startWireCounter(serverPort: number): Promise<WireCounter> {
  const counts: WireCounters = { toServer: 0, toClient: 0, statements: 0, connections: 0, terminations: 0 };
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((client) => {
    counts.connections++;
    const upstream = net.connect(serverPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    const parser = new FrontendParser((type) => {
      if (type === 'Q' || type === 'E') counts.statements++;
      else if (type === 'X') counts.terminations++;
    });
    client.on('data', (chunk: Buffer) => {
      counts.toServer += chunk.length;
      parser.push(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      counts.toClient += chunk.length;
      client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  const stats = http.createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(counts));
  });
  const listen = (server: net.Server) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
    });
  const port = await listen(proxy);
  const statsPort = await listen(stats);
  return {
    port,
    statsUrl: `http://127.0.0.1:${statsPort}/`,
    counters: () => ({ ...counts }),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all([new Promise((r) => proxy.close(r)), new Promise((r) => stats.close(r))]);
    },
  };
}
