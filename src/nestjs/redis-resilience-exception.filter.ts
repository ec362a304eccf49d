import { Catch, Inject, Optional, type ArgumentsHost, type HttpServer } from '@nestjs/common';
import { BaseExceptionFilter, HttpAdapterHost } from '@nestjs/core';
import { unavailableResponse } from '../core/http/http-translation.js';
import type { ExceptionFilterOptions } from './redis-resilience.options.js';

/** Optional provider of `ExceptionFilterOptions` for the filter when Nest builds it (APP_FILTER). */
export const REDIS_RESILIENCE_FILTER_OPTIONS = 'RedisResilience:filter-options';

/**
 * Answers "Redis is unavailable" errors (open circuit, timeout, unknown outcome, retries
 * exhausted, queue full, client closed) with 503 and `Retry-After`, and hands every other
 * exception to Nest's default handling (user errors such as WRONGTYPE stay 500s). Register
 * it as `{ provide: APP_FILTER, useClass: RedisResilienceExceptionFilter }`, or
 * `app.useGlobalFilters(new RedisResilienceExceptionFilter(app.getHttpAdapter(), options))`.
 */
@Catch()
export class RedisResilienceExceptionFilter extends BaseExceptionFilter {
  private readonly host: HttpAdapterHost | undefined;
  private readonly filterOptions: ExceptionFilterOptions;

  constructor(
    @Optional() @Inject(HttpAdapterHost) adapter?: HttpServer | HttpAdapterHost,
    @Optional() @Inject(REDIS_RESILIENCE_FILTER_OPTIONS) options?: ExceptionFilterOptions,
  ) {
    const isHost = adapter instanceof HttpAdapterHost;
    super(isHost ? undefined : adapter);
    this.host = isHost ? adapter : undefined;
    this.filterOptions = options ?? {};
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.getType() === 'http' ? unavailableResponse(exception, this.filterOptions) : undefined;
    const adapter = this.applicationRef ?? this.host?.httpAdapter ?? this.httpAdapterHost?.httpAdapter;
    if (!response || !adapter) {
      // oxlint-disable-next-line promise/valid-params -- BaseExceptionFilter#catch, not a promise
      super.catch(exception, host);
      return;
    }
    const res = host.switchToHttp().getResponse<unknown>();
    if (adapter.isHeadersSent(res)) {
      adapter.end(res);
      return;
    }
    adapter.setHeader(res, 'Retry-After', String(response.retryAfterSeconds));
    adapter.reply(res, response.body, response.statusCode);
  }
}
