import net from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

// Serves one PGlite database to many node-postgres connections over loopback TCP.
//
// PGlite is a single Postgres session, so every connection shares its state. The server gives
// the session to one connection at a time for a whole unit of work: a simple Query, or an
// extended-protocol sequence up to its Sync (Parse/Bind/Execute would otherwise interleave with
// another connection's and bind against the wrong unnamed statement), and for as long as a
// transaction stays open. A connection that goes away mid-unit or mid-transaction is cleaned up
// (Sync, ROLLBACK) before the session passes on.
//
// Written here rather than taken from @electric-sql/pglite-socket 0.2.17, which serialises
// single messages and so interleaves extended queries across connections (electric-sql/pglite
// issue 1046, fix pending in PR 977).

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;

/** Messages after which a unit of work is complete. */
const UNIT_END = new Set(['S', 'Q']);

const SYNC = Buffer.from([0x53, 0, 0, 0, 4]);

function simpleQuery(sql: string): Uint8Array {
  const text = Buffer.from(`${sql}\0`, 'utf8');
  const message = Buffer.alloc(5 + text.length);
  message.write('Q', 0, 'ascii');
  message.writeInt32BE(4 + text.length, 1);
  text.copy(message, 5);
  return new Uint8Array(message);
}

/** Hands the session to one connection at a time, first come first served. */
class SessionLock {
  private owner: Connection | null = null;
  private readonly waiting: Array<{ connection: Connection; resume: () => void }> = [];

  async acquire(connection: Connection): Promise<void> {
    if (this.owner === connection) return;
    if (this.owner === null) {
      this.owner = connection;
      return;
    }
    await new Promise<void>((resume) => this.waiting.push({ connection, resume }));
  }

  release(connection: Connection): void {
    if (this.owner !== connection) return;
    const next = this.waiting.shift();
    this.owner = next?.connection ?? null;
    next?.resume();
  }

  forget(connection: Connection): void {
    const index = this.waiting.findIndex((entry) => entry.connection === connection);
    if (index >= 0) this.waiting.splice(index, 1);
  }

  holds(connection: Connection): boolean {
    return this.owner === connection;
  }
}

class Connection {
  private buffer: Buffer = Buffer.alloc(0);
  private started = false;
  private readonly messages: Array<{ data: Buffer; phase: 'before-startup' | 'startup' | 'session' }> = [];
  private working = false;
  private closed = false;
  /** Inside an extended-protocol sequence that has not reached its Sync yet. */
  private midUnit = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly db: PGlite,
    private readonly lock: SessionLock,
    private readonly onClose: (connection: Connection) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => void this.close());
    socket.on('close', () => void this.close());
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const message = this.nextMessage();
      if (!message) break;
      this.messages.push(message);
    }
    void this.work();
  }

  private nextMessage(): { data: Buffer; phase: 'before-startup' | 'startup' | 'session' } | null {
    // Before startup, messages have no type byte: a length, then a code.
    const headerLength = this.started ? 5 : 8;
    if (this.buffer.length < headerLength) return null;
    const length = this.started ? this.buffer.readInt32BE(1) + 1 : this.buffer.readInt32BE(0);
    if (this.buffer.length < length) return null;
    const data = Buffer.from(this.buffer.subarray(0, length));
    this.buffer = this.buffer.subarray(length);
    if (this.started) return { data, phase: 'session' };
    if (data.readInt32BE(4) === PROTOCOL_3) {
      this.started = true;
      return { data, phase: 'startup' };
    }
    return { data, phase: 'before-startup' };
  }

  private async work(): Promise<void> {
    if (this.working) return;
    this.working = true;
    try {
      while (this.messages.length > 0 && !this.closed) {
        await this.handle(this.messages.shift()!);
      }
    } catch {
      this.socket.destroy();
    } finally {
      this.working = false;
    }
  }

  private async handle(message: { data: Buffer; phase: 'before-startup' | 'startup' | 'session' }): Promise<void> {
    if (message.phase === 'before-startup') {
      const code = message.data.readInt32BE(4);
      if (code === SSL_REQUEST || code === GSSENC_REQUEST) this.socket.write('N');
      // Cancelling a running statement is not supported: the request is ignored.
      else if (code === CANCEL_REQUEST) this.socket.end();
      else this.socket.destroy();
      return;
    }
    const type = String.fromCharCode(message.data[0]!);
    if (message.phase === 'session' && type === 'X') {
      this.socket.end();
      await this.close();
      return;
    }
    await this.lock.acquire(this);
    if (this.closed) {
      this.lock.release(this);
      return;
    }
    await this.exchange(message.data);
    const unitDone = message.phase === 'startup' || UNIT_END.has(type);
    this.midUnit = !unitDone;
    if (unitDone && !this.db.isInTransaction()) this.lock.release(this);
  }

  private async exchange(message: Buffer): Promise<void> {
    await this.db.runExclusive(() =>
      this.db.execProtocolRawStream(new Uint8Array(message), {
        onRawData: (data) => {
          if (data.length > 0 && !this.socket.destroyed) this.socket.write(Buffer.from(data));
        },
      }),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.messages.length = 0;
    this.lock.forget(this);
    if (this.lock.holds(this)) {
      // Leave the session as the next connection expects it: no half sequence, no open transaction.
      try {
        await this.db.runExclusive(async () => {
          // Raw protocol: PGlite's exec() would wait for the lock this callback holds.
          if (this.midUnit) await this.db.execProtocolRaw(new Uint8Array(SYNC));
          if (this.db.isInTransaction()) await this.db.execProtocolRaw(simpleQuery('ROLLBACK'));
        });
      } finally {
        this.lock.release(this);
      }
    }
    this.socket.destroy();
    this.onClose(this);
  }
}

export class PgliteServer {
  private server: net.Server | undefined;
  private readonly lock = new SessionLock();
  private readonly connections = new Set<Connection>();

  constructor(private readonly db: PGlite) {}

  /** Listens on the loopback interface; answers `host:port`. */
  async start(host = '127.0.0.1', port = 0): Promise<string> {
    await this.db.waitReady;
    this.server = net.createServer((socket) => {
      const connection = new Connection(socket, this.db, this.lock, (gone) => this.connections.delete(gone));
      this.connections.add(connection);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    const address = this.server.address() as net.AddressInfo;
    return `${address.address}:${address.port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await Promise.all([...this.connections].map((connection) => connection.close()));
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
