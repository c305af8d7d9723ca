// A WHERE clause built from optional filters, with numbered parameters. Values only ever travel
// as parameters; column names and SQL fragments come from code, never from a request (column
// names are checked against a plain identifier pattern to catch misuse early).

const IDENTIFIER = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;

function column(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a plain column name: ${name}`);
  return name;
}

/** `%`, `_` and the escape character itself match literally (PostgreSQL's default ESCAPE is `\`). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export interface SqlQuery {
  sql: string;
  params: unknown[];
}

export class SqlConditions {
  private readonly clauses: string[] = [];
  private readonly values: unknown[] = [];

  /** Binds `value` as the next parameter and returns its placeholder (`$n`). */
  param(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  get params(): unknown[] {
    return [...this.values];
  }

  get isEmpty(): boolean {
    return this.clauses.length === 0;
  }

  /** A clause written by the caller; bind its values with `param` first. */
  add(clause: string): this {
    this.clauses.push(clause);
    return this;
  }

  /** `col = value`; nothing when value is undefined. */
  equals(name: string, value: string | number | undefined): this {
    return value === undefined ? this : this.add(`${column(name)} = ${this.param(value)}`);
  }

  /** `col = value` for one value (the plainest plan), `col = ANY(values)` for several. */
  oneOf(name: string, values: readonly string[] | undefined): this {
    if (values === undefined || values.length === 0) return this;
    if (values.length === 1) return this.equals(name, values[0]);
    return this.add(`${column(name)} = ANY(${this.param([...values])})`);
  }

  /** `col >= instant` (inclusive); `instant` is an ISO 8601 string. */
  since(name: string, instant: string | undefined): this {
    return instant === undefined
      ? this
      : this.add(`${column(name)} >= ${this.param(instant)}::timestamptz`);
  }

  /** `col <= instant` (inclusive). */
  until(name: string, instant: string | undefined): this {
    return instant === undefined
      ? this
      : this.add(`${column(name)} <= ${this.param(instant)}::timestamptz`);
  }

  /** `col` within the last `hours` hours of the database clock. */
  withinHours(name: string, hours: number | undefined): this {
    return hours === undefined
      ? this
      : this.add(`${column(name)} >= now() - make_interval(hours => ${this.param(hours)}::int)`);
  }

  /** Case-insensitive substring match, wildcards in `text` taken literally. */
  contains(name: string, text: string | undefined): this {
    return text === undefined
      ? this
      : this.add(`${column(name)} ILIKE ${this.param(`%${escapeLike(text)}%`)}`);
  }

  /**
   * Any of the inet `names` inside `network` (an address or CIDR, already validated):
   * `(a <<= $n::inet OR b <<= $n::inet)`. A btree index on each column serves it: the planner
   * turns `<<=` of a constant into a range on the index (network_subset_support), and the
   * list's statements are planned with their parameters' values.
   */
  anyWithin(names: readonly string[], network: string | undefined): this {
    if (network === undefined) return this;
    const value = this.param(network);
    return this.add(`(${names.map((name) => `${column(name)} <<= ${value}::inet`).join(' OR ')})`);
  }

  /** `WHERE a AND b …`, or an empty string when there is no condition. */
  toSql(): string {
    return this.clauses.length === 0 ? '' : `WHERE ${this.clauses.join(' AND ')}`;
  }

  clone(): SqlConditions {
    const copy = new SqlConditions();
    copy.clauses.push(...this.clauses);
    copy.values.push(...this.values);
    return copy;
  }
}
