import net from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { PgliteServer } from '../../src/database/pglite-server.js';

// The embedded store's server shares one PGlite session among many node-postgres connections.
// These are the two ways that sharing could go wrong: extended-protocol queries of different
// connections interleaving (each binding against another's statement), and a connection that
// dies inside a transaction leaving the session in it for everyone else.

let db: PGlite;
let server: PgliteServer;
let url: string;

beforeAll(async () => {
  db = await PGlite.create();
  server = new PgliteServer(db);
  url = `postgresql://postgres@${await server.start()}/postgres`;
  await db.exec('CREATE TABLE counters (id int PRIMARY KEY, value int NOT NULL)');
});

afterAll(async () => {
  await server.stop();
  await db.close();
});

/** A bare protocol-3 connection, so a test can send half an extended-protocol sequence. */
class RawConnection {
  private received = Buffer.alloc(0);
  private readonly socket: net.Socket;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => (this.received = Buffer.concat([this.received, chunk])));
  }

  static async open(address: string): Promise<RawConnection> {
    const [host, port] = address.split(':');
    const socket = net.connect(Number(port), host);
    await new Promise((resolve) => socket.once('connect', resolve));
    const connection = new RawConnection(socket);
    const parameters = Buffer.from('user\0postgres\0database\0postgres\0\0');
    const startup = Buffer.alloc(8);
    startup.writeInt32BE(8 + parameters.length, 0);
    startup.writeInt32BE(196608, 4);
    socket.write(Buffer.concat([startup, parameters]));
    await connection.readyForQuery();
    return connection;
  }

  send(...messages: Buffer[]): void {
    this.socket.write(Buffer.concat(messages));
  }

  /** Waits for ReadyForQuery and answers the text of every DataRow's first column since the last call. */
  async readyForQuery(timeoutMs = 5000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows: string[] = [];
      let offset = 0;
      while (offset + 5 <= this.received.length) {
        const type = String.fromCharCode(this.received[offset]!);
        const length = this.received.readInt32BE(offset + 1);
        if (offset + 1 + length > this.received.length) break;
        if (type === 'E') {
          throw new Error(`server error: ${this.received.subarray(offset + 5, offset + 1 + length).toString()}`);
        }
        if (type === 'D') {
          const size = this.received.readInt32BE(offset + 7);
          rows.push(this.received.subarray(offset + 11, offset + 11 + size).toString());
        }
        offset += 1 + length;
        if (type === 'Z') {
          this.received = this.received.subarray(offset);
          return rows;
        }
      }
      if (Date.now() > deadline) throw new Error('no ReadyForQuery');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  pending(): number {
    return this.received.length;
  }

  close(): void {
    this.socket.destroy();
  }
}

function message(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(5);
  header.write(type, 0, 'ascii');
  header.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([header, body]);
}
const cstring = (text: string) => Buffer.from(`${text}\0`);
const int16 = (value: number) => Buffer.from([value >> 8, value & 0xff]);
const parse = (sql: string) => message('P', cstring(''), cstring(sql), int16(0));
const bind = () => message('B', cstring(''), cstring(''), int16(0), int16(0), int16(0));
const execute = () => message('E', cstring(''), Buffer.from([0, 0, 0, 0]));
const sync = () => message('S');

it('keeps an extended-protocol sequence whole when another connection queries between its messages', async () => {
  const address = url.slice('postgresql://postgres@'.length, url.lastIndexOf('/'));
  const first = await RawConnection.open(address);
  const second = await RawConnection.open(address);
  try {
    // The first connection parses the unnamed statement and pauses before binding it.
    first.send(parse('SELECT 1 AS n'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    // A second connection's whole sequence arrives meanwhile; it must wait, not replace the
    // unnamed statement the first is about to bind.
    second.send(parse('SELECT 2 AS n'), bind(), execute(), sync());
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(second.pending()).toBe(0);
    first.send(bind(), execute(), sync());
    expect(await first.readyForQuery()).toEqual(['1']);
    expect(await second.readyForQuery()).toEqual(['2']);
  } finally {
    first.close();
    second.close();
  }
});

it('answers every connection its own result when many parameterised queries run at once', async () => {
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  try {
    const queries = Array.from({ length: 400 }, (_, i) =>
      i % 3 === 0
        ? pool.query<{ n: number; s: string }>('SELECT $1::int AS n, $2::text AS s', [i, `text-${i}`])
        : i % 3 === 1
          ? pool.query<{ n: number; s: string }>('SELECT $1::int * 2 AS n, upper($2::text) AS s', [i, `t${i}`])
          : pool.query<{ n: number; s: string }>({
              text: 'SELECT $1::int + 1 AS n, $2::text AS s',
              values: [i, `${i}`],
            }),
    );
    const results = await Promise.all(queries);
    results.forEach((result, i) => {
      const expected =
        i % 3 === 0 ? { n: i, s: `text-${i}` } : i % 3 === 1 ? { n: i * 2, s: `T${i}` } : { n: i + 1, s: `${i}` };
      expect(result.rows).toEqual([expected]);
    });
  } finally {
    await pool.end();
  }
});

it('keeps a transaction to its own connection and rolls back one whose connection dies', async () => {
  const inTransaction = new pg.Client({ connectionString: url });
  const other = new pg.Client({ connectionString: url });
  inTransaction.on('error', () => undefined); // its death below is the point of the test
  await inTransaction.connect();
  await other.connect();
  try {
    await inTransaction.query('BEGIN');
    await inTransaction.query('INSERT INTO counters VALUES (1, 1)');

    // The other connection waits for the session rather than running inside that transaction.
    let otherDone = false;
    const otherRead = other.query<{ count: string }>('SELECT count(*) FROM counters').then((result) => {
      otherDone = true;
      return result;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(otherDone).toBe(false);

    // The client vanishes without COMMIT or ROLLBACK: the server must roll back and move on.
    (inTransaction as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    const after = await otherRead;
    expect(after.rows[0]!.count).toBe('0');

    // The session is outside any transaction for the next connection: its writes are its own.
    const fresh = new pg.Client({ connectionString: url });
    await fresh.connect();
    try {
      const status = await fresh.query<{ own: boolean }>('SELECT now() = statement_timestamp() AS own');
      expect(status.rows[0]!.own).toBe(true);
      await fresh.query('INSERT INTO counters VALUES (2, 2)');
      expect((await other.query('SELECT id FROM counters')).rows).toEqual([{ id: 2 }]);
    } finally {
      await fresh.end();
    }
  } finally {
    await other.end();
    await inTransaction.end().catch(() => undefined);
  }
});
