// Serves the web dashboard at /dashboard: the page from DashboardController, the hashed assets
// from @fastify/static with a year's cache (their names change when their content does) and
// pre-compressed .br/.gz variants written by the build.
import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { DashboardAssets } from './dashboard-assets.js';
import { DashboardController } from './dashboard.controller.js';

@Module({
  controllers: [DashboardController],
  providers: [DashboardAssets],
})
export class DashboardModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly assets: DashboardAssets,
  ) {}

  onModuleInit(): void {
    if (!this.assets.built) return; // the page says so (503); nothing to serve
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // Queued, not awaited: awaiting would load the routes declared so far before Nest installs
    // its error handler, and Fastify's own errors (bad JSON, 413, 415) would skip problem+json.
    void fastify.register(fastifyStatic, {
      root: this.assets.assetsDir,
      prefix: '/dashboard/assets/',
      decorateReply: false, // Swagger registers the plugin too
      index: false,
      preCompressed: true,
      maxAge: '365d',
      immutable: true,
    });
  }
}
