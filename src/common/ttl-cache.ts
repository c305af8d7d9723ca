// A short-lived copy of values read per request (a user's token state, an API key's row): each
// key is loaded at most once per `ttlMs`, and expired entries are dropped now and then, since keys
// (sessions, keys) come and go. A ttl of 0 caches nothing.
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  private nextSweep = 0;

  constructor(private readonly ttlMs: number) {}

  /** The cached value of `key`, or what `load` gives (then cached for the ttl). */
  async get(key: string, load: () => Promise<V>): Promise<V> {
    const now = Date.now();
    const cached = this.entries.get(key);
    if (cached && cached.until > now) return cached.value;
    const value = await load();
    if (this.ttlMs > 0) {
      this.sweep(now);
      this.entries.set(key, { value, until: now + this.ttlMs });
    }
    return value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Drops every entry `drop` picks (a change made here is seen here at once). */
  deleteWhere(drop: (key: string, value: V) => boolean): void {
    for (const [key, entry] of this.entries) if (drop(key, entry.value)) this.entries.delete(key);
  }

  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + Math.max(this.ttlMs, 1000) * 10;
    for (const [key, entry] of this.entries) if (entry.until <= now) this.entries.delete(key);
  }
}
