import {
  BadRequestException,
  Controller,
  Get,
  ForbiddenException,
  Header,
  Headers,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  ServiceUnavailableException,
  Sse,
  UseGuards,
  type CanActivate,
  type MessageEvent,
  type Type,
} from '@nestjs/common';
import { map, type Observable } from 'rxjs';
import { ClientRegistry } from '../core/client/client-registry.js';
import type { ResilienceEvent } from '../core/events/resilience-event.js';
import type { HealthReport } from '../core/health/health-model.js';
import {
  assertControlGuarded,
  controlBreaker,
  CROSS_SITE_REFUSAL,
  isCrossSiteRequest,
  type BreakerControlResult,
} from '../core/status/breaker-control.js';
import { renderStatusPage } from '../core/status/status-page.js';
import { shutdownSignal, statusMessages } from '../core/status/status-stream.js';
import { buildStatusView, type StatusView } from '../core/status/status-view.js';
import { healthHttpStatus } from '../core/http/http-translation.js';
import type { StatusControllerOptions } from './redis-resilience.options.js';

type Guard = Type<CanActivate> | CanActivate;

export type { BreakerControlResult };

/**
 * Builds the status controller for the given route prefix and guards (decorator arguments
 * are fixed when a class is declared, hence a factory). The control route exists only when
 * asked for, and only behind a guard: forcing a breaker open takes a shard out of service.
 *
 * Routes under the prefix: the verbose report (`GET /`), recent events (`GET events`), the
 * live status page (`GET page`), what it draws (`GET view`) and its timeline over SSE
 * (`GET stream`), plus `POST breakers/:client/:node/:action` with `control`.
 */
export function createStatusController(options: StatusControllerOptions): Type<unknown> {
  const path = options.path ?? 'redis-resilience';
  const guards = [...(options.guards ?? [])] as Guard[];
  const eventLimit = options.eventLimit ?? 20;
  const verbose = options.verbose !== false;
  const controlGuards = [...(typeof options.control === 'object' ? (options.control.guards ?? []) : [])] as Guard[];
  assertControlGuarded(
    Boolean(options.control),
    guards.length + controlGuards.length > 0,
    'RedisResilienceModule statusController',
    'Pass statusController: { control: { guards: [YourAdminGuard] } }, or guards for every status route.',
  );
  const page = renderStatusPage(options.page ?? {});

  @Controller(path)
  @UseGuards(...guards)
  class RedisResilienceStatusController {
    constructor(@Inject(ClientRegistry) readonly registry: ClientRegistry) {}

    /** The verbose report: 200 while serving (ok, degraded), 503 otherwise, like Terminus. */
    @Get()
    status(): HealthReport {
      this.requireVerbose();
      const report = this.registry.report(eventLimit);
      if (healthHttpStatus(report.status) !== 200) throw new ServiceUnavailableException(report);
      return report;
    }

    /** Recent events of every client (or `?client=`), oldest first; `?limit=` caps them (default 100). */
    @Get('events')
    events(@Query('client') client?: string, @Query('limit') limit?: string): ResilienceEvent[] {
      // Raw events carry addresses (nodes, DNS answers): the page's timeline is the redacted view.
      this.requireVerbose();
      const n = limit === undefined ? 100 : Number(limit);
      if (!Number.isInteger(n) || n < 1) throw new BadRequestException('limit must be a positive integer');
      const clients = client === undefined ? [...this.registry.clients.values()] : [this.lookup(client)];
      return clients
        .flatMap((c) => c.recentEvents(n))
        .toSorted((a, b) => a.timestamp - b.timestamp)
        .slice(-n);
    }

    /** The live status page: self-contained HTML that reads `view` and `stream` next to it. */
    @Get('page')
    @Header('Content-Type', page.headers['Content-Type']!)
    @Header('Cache-Control', 'no-store')
    @Header('Content-Security-Policy', page.headers['Content-Security-Policy']!)
    @Header('X-Content-Type-Options', 'nosniff')
    @Header('Referrer-Policy', 'no-referrer')
    page(): string {
      return page.body;
    }

    /** What the page draws; addresses only when the verbose report is allowed. */
    @Get('view')
    @Header('Cache-Control', 'no-store')
    view(): StatusView {
      return buildStatusView([...this.registry.clients.values()], {
        verbose,
        control: Boolean(options.control),
        shuttingDown: this.registry.isShuttingDown,
        eventLimit: options.page?.eventLimit ?? 50,
      });
    }

    /** The timeline over SSE; it ends when the client leaves or the app starts shutting down. */
    @Sse('stream')
    stream(): Observable<MessageEvent> {
      return statusMessages(this.registry.events$, [...this.registry.clients.values()], {
        verbose,
        until: shutdownSignal(this.registry),
      }).pipe(
        map((m): MessageEvent => ({ type: m.type, data: m.data as object, ...(m.retryMs === undefined ? {} : { retry: m.retryMs }) })),
      );
    }

    protected lookup(name: string) {
      const client = this.registry.clients.get(name);
      if (!client) throw new NotFoundException(`no client named "${name}"`);
      return client;
    }

    private requireVerbose(): void {
      if (!verbose) throw new NotFoundException('the verbose report is off (statusController.verbose)');
    }
  }

  if (!options.control) return RedisResilienceStatusController;

  @Controller(path)
  @UseGuards(...guards)
  class RedisResilienceControlController extends RedisResilienceStatusController {
    /** Forces the breaker of `node` (`host:port` or shard label) open, or releases it (`close`). */
    @Post('breakers/:client/:node/:action')
    @UseGuards(...controlGuards)
    control(
      @Param('client') client: string,
      @Param('node') node: string,
      @Param('action') action: string,
      @Headers() headers: Record<string, string | undefined>,
    ): BreakerControlResult {
      if (isCrossSiteRequest(headers)) throw new ForbiddenException(CROSS_SITE_REFUSAL);
      const outcome = controlBreaker(this.registry.clients, client, node, action, verbose);
      if (outcome.ok) return outcome.result;
      throw outcome.status === 400 ? new BadRequestException(outcome.message) : new NotFoundException(outcome.message);
    }
  }
  return RedisResilienceControlController;
}
