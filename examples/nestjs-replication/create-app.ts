import { NestFactory } from '@nestjs/core';
import type { INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { ReplicationAppModule } from './app.module.js';
import type { ReplicationExampleConfig } from './config.js';

/** Builds (but does not start listening) the replication example app. */
export async function createReplicationApp(
  config: ReplicationExampleConfig,
  options: { logger?: LoggerService | LogLevel[] | false } = {},
): Promise<INestApplication> {
  return NestFactory.create(ReplicationAppModule.forConfig(config), { logger: options.logger ?? ['log', 'warn', 'error'] });
}
