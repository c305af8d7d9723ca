// The dashboard's page. Every path under /dashboard that is not an asset answers the same
// index.html (the app reads its view from the URL), so a reload or a shared link of
// /dashboard?severity=high works. The page is never cached: it names the current hashed assets.
import { Controller, Get, Header, Param } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/access.decorators.js';
import { NotFoundError } from '../common/problem/domain-error.js';
import { DashboardAssets } from './dashboard-assets.js';

/** Only our own scripts, styles and API; no framing. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

@ApiExcludeController()
@Public()
@Controller('dashboard')
export class DashboardController {
  constructor(private readonly assets: DashboardAssets) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-cache')
  @Header('content-security-policy', CONTENT_SECURITY_POLICY)
  @Header('x-content-type-options', 'nosniff')
  index(): string {
    return this.assets.indexHtml();
  }

  /** Client-side views; a path that names a file (has an extension) is a missing asset instead. */
  @Get('*')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-cache')
  @Header('content-security-policy', CONTENT_SECURITY_POLICY)
  @Header('x-content-type-options', 'nosniff')
  view(@Param('*') path: string): string {
    const last = path.split('/').pop() ?? '';
    if (last.includes('.')) throw new NotFoundError('Dashboard file', last);
    return this.assets.indexHtml();
  }
}
