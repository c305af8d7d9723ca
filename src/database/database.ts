// The one way Vigil's code talks to PostgreSQL: parameterised SQL on node-postgres's pool, with
// each statement's rows typed by an interface written beside the SQL. TypeORM stays what it is
// best at here, the migrations (see migrator.ts); reads and writes go through this class,
// because pg sends a statement within `query()` while TypeORM's query path awaits twice first,
// which the list and the sync's page commit measured as a fifth of their time (README,
// "Architecture").
import { Injectable } from '@nestjs/common';
import pg from 'pg';

/** A parameter list as pg takes it. */
export type Params = readonly unknown[];

/** Something statements run on: the pool, a transaction, a dedicated session. */
export interface Queryable {
  /** The statement's rows, typed by the caller. */
  query<R extends object = Record<string, unknown>>(text: string, params?: Params): Promise<R[]>;
  /** How many rows the statement touched (UPDATE or DELETE without RETURNING). */
  execute(text: string, params?: Params): Promise<number>;
}

/** A transaction in progress: statements on it commit or roll back together. */
export type Transaction = Queryable;

/**
 * A statement PostgreSQL refused: its SQLSTATE, PostgreSQL's routine and the statement's text
 * (placeholders only), with pg's error as the cause. Its message, detail and parameters may hold
 * submitted values: logs keep only what loggableError picks.
 */
export class QueryError extends Error {
  readonly code: string | undefined;
  readonly routine: string | undefined;

  constructor(
    readonly query: string,
    cause: pg.DatabaseError,
  ) {
    super(cause.message, { cause });
    this.name = 'QueryError';
    this.code = cause.code;
    this.routine = cause.routine;
  }
}

function refused(text: string): (error: unknown) => never {
  return (error) => {
    throw error instanceof pg.DatabaseError ? new QueryError(text, error) : error;
  };
}

function rowsOf<R extends object>(
  target: pg.Pool | pg.ClientBase,
  text: string,
  params: Params | undefined,
): Promise<R[]> {
  return target
    .query<R & pg.QueryResultRow>(text, params as unknown[])
    .then((result) => result.rows, refused(text));
}

function countOf(
  target: pg.Pool | pg.ClientBase,
  text: string,
  params: Params | undefined,
): Promise<number> {
  return target
    .query(text, params as unknown[])
    .then((result) => result.rowCount ?? 0, refused(text));
}

/**
 * A connection borrowed from the pool. While borrowed, a connection that fails (the server gone,
 * the socket cut) reports it as an 'error' event on the client, which would crash the process
 * with no listener: the failure is kept instead (the statement in flight rejects on its own) and
 * the connection is closed rather than returned when released.
 */
class Borrowed {
  private failure: Error | undefined;
  private readonly onError = (error: Error) => (this.failure ??= error);

  constructor(readonly client: pg.PoolClient) {
    client.on('error', this.onError);
  }

  /** Returns the connection, or closes it when it failed or `discard` is given. */
  giveBack(discard?: Error): void {
    this.client.removeListener('error', this.onError);
    this.client.release(discard ?? this.failure);
  }
}

/** Statements on one connection taken from the pool. */
class Connection implements Queryable {
  constructor(protected readonly client: pg.PoolClient) {}

  query<R extends object = Record<string, unknown>>(text: string, params?: Params): Promise<R[]> {
    return rowsOf<R>(this.client, text, params);
  }

  execute(text: string, params?: Params): Promise<number> {
    return countOf(this.client, text, params);
  }
}

/**
 * A connection held outside any transaction until released: what session-level state needs (the
 * sync's advisory lock lives as long as its session).
 */
export class Session extends Connection {
  private released = false;

  constructor(private readonly borrowed: Borrowed) {
    super(borrowed.client);
  }

  /**
   * Gives the connection back. `discard` closes it instead: when the session's state (a lock it
   * could not release) must not be handed to the next borrower.
   */
  release(discard = false): void {
    if (this.released) return;
    this.released = true;
    this.borrowed.giveBack(discard ? new Error('session discarded') : undefined);
  }
}

@Injectable()
export class Database implements Queryable {
  constructor(private readonly pool: pg.Pool) {}

  query<R extends object = Record<string, unknown>>(text: string, params?: Params): Promise<R[]> {
    return rowsOf<R>(this.pool, text, params);
  }

  execute(text: string, params?: Params): Promise<number> {
    return countOf(this.pool, text, params);
  }

  /**
   * Runs `work` in a transaction on one connection: committed when it resolves, rolled back when
   * it throws (and the error rethrown). A connection whose rollback fails is closed, not reused.
   */
  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    const borrowed = new Borrowed(await this.pool.connect());
    const { client } = borrowed;
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(new Connection(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      borrowed.giveBack(broken);
    }
  }

  /** A dedicated connection; the caller must release it. */
  async session(): Promise<Session> {
    return new Session(new Borrowed(await this.pool.connect()));
  }

  /**
   * A connection of its own, outside the pool, to the same database: for LISTEN, which holds a
   * connection for the life of the process and must not take one of the pool's.
   */
  dedicatedClient(applicationName: string): pg.Client {
    return new pg.Client({ ...this.pool.options, application_name: applicationName });
  }

  /** Closes every connection (at shutdown). */
  end(): Promise<void> {
    return this.pool.end();
  }
}

/**
 * What a service holds to make several repositories' writes commit together (a unit of work): it
 * runs no SQL of its own, so queries stay in repositories.
 */
@Injectable()
export class Transactions {
  constructor(private readonly db: Database) {}

  run<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }
}

/** A statement refused because it would duplicate a unique key (SQLSTATE 23505). */
export function isUniqueViolation(error: unknown): error is QueryError {
  return error instanceof QueryError && error.code === '23505';
}
