// Every route the app serves, by method, so a request for a path that exists under other methods
// can be answered 405 with `Allow` (RFC 9110 §15.5.6) instead of Fastify's plain 404. Filled from
// Fastify's onRoute hook; matched with the same router Fastify uses, so parameters and wildcards
// agree.
import { Injectable } from '@nestjs/common';
import FindMyWay from 'find-my-way';

const NO_HANDLER = () => undefined;

@Injectable()
export class RouteTable {
  private readonly router = FindMyWay({ ignoreTrailingSlash: false });
  private readonly methods = new Set<string>();

  add(method: string | string[], url: string): void {
    for (const m of [method].flat()) {
      if (this.router.hasRoute(m as FindMyWay.HTTPMethod, url)) continue;
      this.router.on(m as FindMyWay.HTTPMethod, url, NO_HANDLER);
      this.methods.add(m);
    }
  }

  /** The methods a path is served under, sorted; empty when no route has this path. */
  allowed(path: string): string[] {
    return [...this.methods]
      .filter((method) => this.router.find(method as FindMyWay.HTTPMethod, path) !== null)
      .sort();
  }
}
