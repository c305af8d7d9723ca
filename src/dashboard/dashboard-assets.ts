// Where the built dashboard lives (dist/dashboard/, written by `npm run build` with Vite) and its
// index page, read once. The compiled module sits in dist/src/dashboard/, two levels below.
import { Injectable } from '@nestjs/common';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DashboardNotBuiltError } from './dashboard-not-built.error.js';

@Injectable()
export class DashboardAssets {
  readonly root = fileURLToPath(new URL('../../dashboard/', import.meta.url));
  readonly assetsDir = join(this.root, 'assets');
  private index?: string;

  get built(): boolean {
    return existsSync(join(this.root, 'index.html'));
  }

  indexHtml(): string {
    if (this.index === undefined) {
      if (!this.built) throw new DashboardNotBuiltError();
      this.index = readFileSync(join(this.root, 'index.html'), 'utf8');
    }
    return this.index;
  }
}
