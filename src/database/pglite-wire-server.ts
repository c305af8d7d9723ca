// Serves one PGlite instance over the PostgreSQL wire protocol to many client connections.
//
// Why not @electric-sql/pglite-socket's server: it hands PGlite one protocol message at a time,
// so two connections' extended-query sequences (Parse, Bind, Execute, Sync) interleave on
// PGlite's single backend and one connection's unnamed statement replaces another's ("bind
// message supplies 6 parameters, but prepared statement "" requires 2"). Here a connection's
// messages go to PGlite as whole batches, up to and including Sync or a simple Query, one batch
// at a time; and while a connection has a transaction open, only that connection's batches run.
import type { PGlite } from '@electric-sql/pglite';
import { Logger } from '@nestjs/common';
import { createServer, Server, Socket } from 'node:net';

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
/** Message types that end a batch: Sync, simple Query, Terminate. */
const BATCH_END = new Set(['S'.charCodeAt(0), 'Q'.charCodeAt(0), 'X'.charCodeAt(0)]);
const TERMINATE = 'X'.charCodeAt(0);

interface Batch {
  connection: Connection;
  bytes: Uint8Array;
  done: () => void;
}

class Connection {
  private buffer: Buffer = Buffer.alloc(0);
  private pending: Buffer[] = [];
  private started = false;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    private readonly server: PGliteWireServer,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => void server.closed(this));
  }

  write(bytes: Uint8Array): void {
    if (this.socket.writable) this.socket.write(bytes);
  }

  end(): void {
    this.socket.end();
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      if (!this.started) {
        if (this.buffer.length < 8) return;
        const length = this.buffer.readInt32BE(0);
        if (this.buffer.length < length) return;
        const code = this.buffer.readInt32BE(4);
        const message = this.buffer.subarray(0, length);
        this.buffer = this.buffer.subarray(length);
        if (code === SSL_REQUEST) {
          this.write(Buffer.from('N'));
          continue;
        }
        if (code === CANCEL_REQUEST) {
          this.end();
          return;
        }
        this.started = true;
        this.submit([message]);
        continue;
      }
      if (this.buffer.length < 5) return;
      const length = 1 + this.buffer.readInt32BE(1);
      if (this.buffer.length < length) return;
      const type = this.buffer[0];
      this.pending.push(this.buffer.subarray(0, length));
      this.buffer = this.buffer.subarray(length);
      if (BATCH_END.has(type)) {
        const batch = this.pending;
        this.pending = [];
        this.submit(batch);
        if (type === TERMINATE) return;
      }
    }
  }

  /** Batches of one connection run in order; the server interleaves connections batch-wise. */
  private submit(messages: Buffer[]): void {
    const bytes = new Uint8Array(Buffer.concat(messages));
    this.chain = this.chain.then(
      () => new Promise<void>((done) => this.server.enqueue({ connection: this, bytes, done })),
    );
  }
}

export class PGliteWireServer {
  private readonly logger = new Logger(PGliteWireServer.name);
  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  private readonly queue: Batch[] = [];
  private running = false;
  /** The connection whose transaction is open on the backend, if any. */
  private owner: Connection | null = null;
  private nextId = 1;

  constructor(private readonly db: PGlite) {
    this.server = createServer((socket) =>
      this.connections.add(new Connection(this.nextId++, socket, this)),
    );
  }

  listen(port: number, host: string): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        const address = this.server.address() as { port: number };
        resolve({ host, port: address.port });
      });
    });
  }

  enqueue(batch: Batch): void {
    this.queue.push(batch);
    void this.drain();
  }

  async closed(connection: Connection): Promise<void> {
    this.connections.delete(connection);
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i].connection === connection) this.queue.splice(i, 1)[0].done();
    }
    if (this.owner === connection) {
      // The client vanished mid-transaction: undo it so the backend serves the others again.
      this.owner = null;
      await this.db.exec('ROLLBACK').catch(() => undefined);
      void this.drain();
    }
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        const index = this.owner ? this.queue.findIndex((b) => b.connection === this.owner) : 0;
        if (index < 0 || this.queue.length === 0) return; // wait for the owner's next batch
        const [batch] = this.queue.splice(index, 1);
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(batch.bytes, {
              onRawData: (data) => batch.connection.write(data),
            }),
          );
        } catch (error) {
          this.logger.warn(
            { err: error, connection: batch.connection.id },
            'Embedded database batch failed',
          );
          batch.connection.end();
        }
        this.owner = this.db.isInTransaction() ? batch.connection : null;
        batch.done();
      }
    } finally {
      this.running = false;
    }
  }

  async close(): Promise<void> {
    for (const connection of this.connections) connection.end();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
