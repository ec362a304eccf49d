import { NestFactory } from '@nestjs/core';
import type { INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { ClusterAppModule } from './app.module.js';
import type { ClusterExampleConfig } from './config.js';

/**
 * Builds (but does not start listening) the cluster example app. Redis being down does not
 * stop it from starting: readiness reports it instead.
 */
export async function createClusterApp(
  config: ClusterExampleConfig,
  options: { logger?: LoggerService | LogLevel[] | false } = {},
): Promise<INestApplication> {
  return NestFactory.create(ClusterAppModule.forConfig(config), { logger: options.logger ?? ['log', 'warn', 'error'] });
}
