// The headers every response carries, through Nest's built-in `app.useSecurityHeaders()` (helmet 8's
// headers and defaults, on routes, 404s and errors alike). One Content-Security-Policy fits the
// pages the service serves: Swagger UI at /docs (own scripts only; its page has an inline <style>)
// and the dashboard, which sends its own stricter policy from its controller.
import type { SecurityHeadersOptions } from '@nestjs/common';

export const SECURITY_HEADERS: SecurityHeadersOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'", 'data:'],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      // (no upgrade-insecure-requests: the service is reached over plain HTTP too, e.g. the demo
      // on a LAN address, where upgraded asset URLs would not load)
    },
  },
  xFrameOptions: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
};

/** API responses (tokens, alerts, users) are never stored by a browser or a shared cache. */
export const API_CACHE_CONTROL = 'no-store';

export function isApiPath(url: string): boolean {
  return url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');
}
