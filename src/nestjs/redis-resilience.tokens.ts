import { Inject } from '@nestjs/common';
import { DEFAULT_CLIENT_NAME } from '../core/client/client-registry.js';

/**
 * The injection token of a client. Without a name: the default client (the one named
 * "default", else the first configured).
 */
export function getResilientRedisToken(name: string = DEFAULT_CLIENT_NAME): string {
  return `RedisResilience:client:${name}`;
}

/** Injects a `ResilientRedis` client by name, or the default client. */
export function InjectResilientRedis(name?: string): PropertyDecorator & ParameterDecorator {
  return Inject(getResilientRedisToken(name));
}
