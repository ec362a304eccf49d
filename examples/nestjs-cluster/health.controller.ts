import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { ClientRegistry, RedisResilienceHealthIndicator } from 'redis-resilience/nestjs';

/**
 * Kubernetes probes. Liveness never looks at Redis (a Redis failover must not restart every
 * pod); readiness follows the required clients; `/health` is the verbose report naming each
 * shard, its address and its breaker state.
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
    // Not through HealthCheckService: it reports shutting_down (503) during shutdown, and
    // a liveness failure there would only get the pod killed sooner.
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
