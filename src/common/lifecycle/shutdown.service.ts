// Graceful shutdown, as an orchestrator expects it: the moment SIGTERM arrives readiness says
// 503 (the flag flips in the signal handler itself, before any shutdown hook has run), then an
// optional drain delay keeps serving while load balancers notice, then Nest closes the listener
// (in-flight requests finish), the sync stops after its current page and connections close. A
// timer bounds the whole of it.
//
// Keep-alive: closing the listener only reaps the connections idle at that instant. A request in
// flight then (a probe polled every 50 ms often is) would be answered keep-alive and leave its
// connection open, idle, until the client spoke again or Fastify's keepAliveTimeout (72 s) ran
// out, and the close waited on it past the grace period. So from the signal on every response
// says `Connection: close`: the connection ends with the response.
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { appConfig } from '../../config/app.config.js';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

@Injectable()
export class ShutdownService implements OnModuleInit, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger(ShutdownService.name);
  private began = false;
  /** Open HTTP connections, and how many requests each is serving (for the grace-period log). */
  private readonly connections = new Map<Socket, number>();

  constructor(
    @Inject(appConfig.KEY) private readonly config: ConfigType<typeof appConfig>,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** True from the first shutdown signal on: readiness answers 503. */
  get draining(): boolean {
    return this.began;
  }

  onModuleInit(): void {
    for (const signal of SIGNALS) process.once(signal, this.begin);
    this.watchConnections();
  }

  /** Also reached when the app is closed without a signal. */
  onModuleDestroy(): void {
    this.begin();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.config.shutdownDrainMs > 0) await sleep(this.config.shutdownDrainMs);
  }

  private watchConnections(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter) return;
    const server = adapter.getHttpServer() as Server;
    adapter.getInstance<FastifyInstance>().addHook('onSend', (_request, reply, payload, done) => {
      if (this.began) void reply.header('connection', 'close');
      done(null, payload);
    });
    server.on('connection', (socket: Socket) => {
      this.connections.set(socket, 0);
      socket.once('close', () => this.connections.delete(socket));
    });
    server.on('request', ({ socket }: IncomingMessage, response: ServerResponse) => {
      this.connections.set(socket, (this.connections.get(socket) ?? 0) + 1);
      response.once('close', () => {
        const requests = this.connections.get(socket);
        if (requests !== undefined) this.connections.set(socket, requests - 1);
      });
    });
  }

  private readonly begin = (signal?: string): void => {
    if (this.began) return;
    this.began = true;
    for (const s of SIGNALS) process.removeListener(s, this.begin);
    this.logger.log(
      { signal, drainMs: this.config.shutdownDrainMs, graceMs: this.config.shutdownGraceMs },
      'Shutting down: not ready any more',
    );
    setTimeout(() => {
      const busy = [...this.connections.values()].filter((requests) => requests > 0).length;
      this.logger.error(
        {
          graceMs: this.config.shutdownGraceMs,
          openConnections: this.connections.size,
          connectionsServingRequests: busy,
          activeResources: countResources(),
        },
        'Shutdown did not finish within the grace period; exiting',
      );
      process.exit(1);
    }, this.config.shutdownGraceMs).unref();
  };
}

/** What keeps the event loop busy (timers, sockets, file handles), by kind. */
function countResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}
