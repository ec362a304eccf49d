import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { ClientRegistry, RedisResilienceHealthIndicator } from 'redis-resilience/nestjs';

/**
 * Probes. A lost reader makes readiness `degraded` (still 200: writes work and reads fall
 * back to the primary); a lost primary makes it 503. `/health` adds the DNS view of both
 * endpoint names and the address each is connected to.
 */
@Controller('health')
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(RedisResilienceHealthIndicator) private readonly redis: RedisResilienceHealthIndicator,
    @Inject(ClientRegistry) private readonly registry: ClientRegistry,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.registry.liveness();
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.redis.isHealthy()]);
  }

  @Get()
  @HealthCheck()
  verbose() {
    return this.health.check([() => this.redis.isHealthy({ verbose: true })]);
  }
}
