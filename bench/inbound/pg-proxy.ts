/**
 * A TCP proxy between a bot and Postgres that counts what the bot sends, by reading the
 * frontend protocol: Query ('Q') and Execute ('E') are statements; Sync ('S'), Query and Flush
 * ('H') are round trips (the client waits for the server's answer: ReadyForQuery, or for Flush
 * the description of a statement before it binds its parameters, which is what postgres.js does
 * for a statement it has not prepared on that connection); Parse ('P') is counted too (a
 * statement parsed and planned again rather than reused). On the server's side only the
 * headers are read, for the transactions: each ReadyForQuery ('Z') that ends one (the status
 * going back to idle after a transaction block, or an implicit transaction with a command in it).
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

export interface ProxyCounts {
  statements: number;
  roundTrips: number;
  parses: number;
  transactions: number;
  connections: number;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const Q = "Q".charCodeAt(0);
const E = "E".charCodeAt(0);
const S = "S".charCodeAt(0);
const P = "P".charCodeAt(0);
const H = "H".charCodeAt(0);
const Z = "Z".charCodeAt(0);
const C = "C".charCodeAt(0);
const I = "I".charCodeAt(0);
const IDLE = "I".charCodeAt(0);

/** Reads the headers of one connection's backend stream: ReadyForQuery ends transactions. */
class BackendParser {
  private skip = 0;
  private readonly header = Buffer.alloc(5);
  private have = 0;
  /** What the last ReadyForQuery said: 'I' idle, 'T' in a transaction block, 'E' in a failed one. */
  private status = "I".charCodeAt(0);
  private commands = 0;
  /** Reading the status byte of a ReadyForQuery. */
  private readyForQuery = false;

  constructor(private readonly counts: ProxyCounts) {}

  feed(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.readyForQuery) {
        const status = chunk[i]!;
        if (status === IDLE && (this.status !== IDLE || this.commands > 0)) this.counts.transactions++;
        this.status = status;
        this.commands = 0;
        this.readyForQuery = false;
        this.skip--;
        i++;
        continue;
      }
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      const n = Math.min(5 - this.have, chunk.length - i);
      chunk.copy(this.header, this.have, i, i + n);
      this.have += n;
      i += n;
      if (this.have < 5) return;
      this.have = 0;
      const type = this.header[0]!;
      this.skip = this.header.readInt32BE(1) - 4;
      if (type === Z) this.readyForQuery = true;
      // CommandComplete, EmptyQueryResponse, ErrorResponse: a command ran (or failed) in it.
      else if (type === C || type === I || type === E) this.commands++;
    }
  }
}

/** Parses one connection's frontend stream, chunk by chunk, without copying the messages. */
class FrontendParser {
  /** Before the startup packet (and again after an SSLRequest refused with 'N'). */
  private startup = true;
  private skip = 0;
  private readonly header = Buffer.alloc(8);
  private have = 0;
  /** The body of a Parse message being read: its query text is counted. */
  private parse: { left: number; parts: Buffer[] } | undefined;

  constructor(
    private readonly counts: ProxyCounts,
    private readonly parsed: Map<string, number>,
  ) {}

  feed(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.parse) {
        const n = Math.min(this.parse.left, chunk.length - i);
        this.parse.parts.push(Buffer.from(chunk.subarray(i, i + n)));
        this.parse.left -= n;
        i += n;
        if (this.parse.left === 0) {
          // Parse: statement name, NUL, query text, NUL, parameter types.
          const body = Buffer.concat(this.parse.parts);
          const start = body.indexOf(0) + 1;
          const query = body.toString("utf8", start, body.indexOf(0, start)).replace(/\s+/g, " ").slice(0, 160);
          this.parsed.set(query, (this.parsed.get(query) ?? 0) + 1);
          this.parse = undefined;
        }
        continue;
      }
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      // Startup packets: int32 length, int32 code, no type byte. Typed messages: byte, int32 length.
      const size = this.startup ? 8 : 5;
      const n = Math.min(size - this.have, chunk.length - i);
      chunk.copy(this.header, this.have, i, i + n);
      this.have += n;
      i += n;
      if (this.have < size) return;
      this.have = 0;
      if (this.startup) {
        const length = this.header.readInt32BE(0);
        const code = this.header.readInt32BE(4);
        this.skip = length - 8;
        if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) this.startup = false;
      } else {
        const type = this.header[0]!;
        this.skip = this.header.readInt32BE(1) - 4;
        if (type === Q) {
          this.counts.statements++;
          this.counts.roundTrips++;
        } else if (type === E) this.counts.statements++;
        else if (type === S || type === H) this.counts.roundTrips++;
        else if (type === P) {
          this.counts.parses++;
          if (this.skip > 0) {
            this.parse = { left: this.skip, parts: [] };
            this.skip = 0;
          }
        }
      }
    }
  }
}

export class CountingProxy {
  readonly counts: ProxyCounts = { statements: 0, roundTrips: 0, parses: 0, transactions: 0, connections: 0 };
  /** Query texts of Parse messages (statements prepared), with how often each was prepared. */
  readonly parsed = new Map<string, number>();
  port = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly target: { host: string; port: number },
  ) {}

  async start(): Promise<this> {
    this.server = createServer((client) => {
      this.counts.connections++;
      const server = createConnection(this.target);
      const parser = new FrontendParser(this.counts, this.parsed);
      this.sockets.add(client).add(server);
      client.setNoDelay(true);
      server.setNoDelay(true);
      client.on("data", (chunk: Buffer) => {
        parser.feed(chunk);
        if (!server.write(chunk)) client.pause();
      });
      server.on("drain", () => client.resume());
      const backend = new BackendParser(this.counts);
      server.on("data", (chunk: Buffer) => {
        backend.feed(chunk);
        if (!client.write(chunk)) server.pause();
      });
      client.on("drain", () => server.resume());
      const close = () => {
        client.destroy();
        server.destroy();
        this.sockets.delete(client);
        this.sockets.delete(server);
      };
      client.on("close", close).on("error", close);
      server.on("close", close).on("error", close);
      client.on("end", () => server.end());
      server.on("end", () => client.end());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  snapshot(): ProxyCounts & { parsed: Map<string, number> } {
    return { ...this.counts, parsed: new Map(this.parsed) };
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
