// The header that authenticates Vigil to the upstream (UPSTREAM_URL's userinfo as Basic auth,
// UPSTREAM_AUTH_HEADER, or UPSTREAM_AUTH_HEADER_FILE), for every client of the upstream. A file is
// re-read for each request, so a rotated Kubernetes Secret applies without a restart. Errors name
// the variable and the file, never the value.
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { readFile } from 'node:fs/promises';
import { parseHeaderLine } from '../config/environment.js';
import { ingestionConfig } from '../config/ingestion.config.js';

export class UpstreamCredentialsError extends Error {
  override readonly name = 'UpstreamCredentialsError';
}

@Injectable()
export class UpstreamCredentials {
  constructor(
    @Inject(ingestionConfig.KEY) private readonly config: ConfigType<typeof ingestionConfig>,
  ) {}

  /** The headers to add to a request (none when the upstream takes no credentials). */
  async headers(): Promise<Record<string, string>> {
    const credentials = this.config.credentials;
    if (credentials.kind === 'none') return {};
    if (credentials.kind === 'header') return { [credentials.name]: credentials.value };
    let line: string;
    try {
      line = await readFile(credentials.path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new UpstreamCredentialsError(
        `UPSTREAM_AUTH_HEADER_FILE ${credentials.path} could not be read (${code})`,
      );
    }
    const header = parseHeaderLine(line);
    if (!header) {
      throw new UpstreamCredentialsError(
        `UPSTREAM_AUTH_HEADER_FILE ${credentials.path} does not hold one "Name: value" line`,
      );
    }
    return { [header.name]: header.value };
  }

  /** What /health may say about them: how they are given, never what they are. */
  describe(): string {
    const credentials = this.config.credentials;
    if (credentials.kind === 'none') return 'none';
    if (credentials.kind === 'header-file') return 'header from UPSTREAM_AUTH_HEADER_FILE';
    return credentials.from === 'UPSTREAM_URL'
      ? 'basic auth from UPSTREAM_URL'
      : 'header from UPSTREAM_AUTH_HEADER';
  }
}
