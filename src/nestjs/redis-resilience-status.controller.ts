import {
  BadRequestException,
  Controller,
  Get,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  ServiceUnavailableException,
  UseGuards,
  type CanActivate,
  type Type,
} from '@nestjs/common';
import { ClientRegistry } from '../core/client/client-registry.js';
import type { ResilienceEvent } from '../core/events/resilience-event.js';
import type { HealthReport } from '../core/health/health-model.js';
import { healthHttpStatus } from '../express/http-translation.js';
import type { StatusControllerOptions } from './redis-resilience.options.js';

type Guard = Type<CanActivate> | CanActivate;

/** What the control route answers. */
export interface BreakerControlResult {
  client: string;
  node: string;
  action: 'open' | 'close';
  /** Every breaker of that client after the action, by node address. */
  breakers: Record<string, string>;
}

/**
 * Builds the status controller for the given route prefix and guards (decorator arguments
 * are fixed when a class is declared, hence a factory). The control route exists only when
 * asked for: forcing a breaker open takes a shard out of service.
 */
export function createStatusController(options: StatusControllerOptions): Type<unknown> {
  const path = options.path ?? 'redis-resilience';
  const guards = [...(options.guards ?? [])] as Guard[];
  const eventLimit = options.eventLimit ?? 20;

  @Controller(path)
  @UseGuards(...guards)
  class RedisResilienceStatusController {
    constructor(@Inject(ClientRegistry) readonly registry: ClientRegistry) {}

    /** The verbose report: 200 while serving (ok, degraded), 503 otherwise, like Terminus. */
    @Get()
    status(): HealthReport {
      const report = this.registry.report(eventLimit);
      if (healthHttpStatus(report.status) !== 200) throw new ServiceUnavailableException(report);
      return report;
    }

    /** Recent events of every client (or `?client=`), oldest first; `?limit=` caps them (default 100). */
    @Get('events')
    events(@Query('client') client?: string, @Query('limit') limit?: string): ResilienceEvent[] {
      const n = limit === undefined ? 100 : Number(limit);
      if (!Number.isInteger(n) || n < 1) throw new BadRequestException('limit must be a positive integer');
      const clients = client === undefined ? [...this.registry.clients.values()] : [this.lookup(client)];
      return clients
        .flatMap((c) => c.recentEvents(n))
        .toSorted((a, b) => a.timestamp - b.timestamp)
        .slice(-n);
    }

    protected lookup(name: string) {
      const client = this.registry.clients.get(name);
      if (!client) throw new NotFoundException(`no client named "${name}"`);
      return client;
    }
  }

  if (!options.control) return RedisResilienceStatusController;
  const controlGuards = [...(typeof options.control === 'object' ? (options.control.guards ?? []) : [])] as Guard[];

  @Controller(path)
  @UseGuards(...guards)
  class RedisResilienceControlController extends RedisResilienceStatusController {
    /** Forces the breaker of `node` (`host:port` or shard label) open, or releases it (`close`). */
    @Post('breakers/:client/:node/:action')
    @UseGuards(...controlGuards)
    control(@Param('client') client: string, @Param('node') node: string, @Param('action') action: string): BreakerControlResult {
      if (action !== 'open' && action !== 'close') throw new BadRequestException('action must be "open" or "close"');
      const target = this.lookup(client);
      if (!target.controlBreaker(node, action)) throw new NotFoundException(`client "${client}" has no node "${node}"`);
      const breakers = Object.fromEntries(target.health().nodes.map((n) => [n.address, n.breaker]));
      return { client, node, action, breakers };
    }
  }
  return RedisResilienceControlController;
}
