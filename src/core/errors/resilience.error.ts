import type { ErrorCode } from './error-codes.js';
import type { FailureScenario } from './failure-scenario.js';
import { redactCause } from './redact-cause.js';

/**
 * Brand shared by every copy of this package loaded in one process (two versions in
 * node_modules, or ESM and a bundled copy): `instanceof` fails across copies, the
 * registered symbol does not.
 */
const BRAND = Symbol.for('redis-resilience.error');

/** Where a failed call was headed: a shard or endpoint, never a key or an argument. */
export interface ErrorTarget {
  /** The client's configured name. */
  readonly client: string;
  /** `host:port` of the node, or the endpoint's logical name. */
  readonly node?: string;
  /** The Redis command name, lower case. */
  readonly command?: string;
}

/**
 * Base of the small error family this library throws. Every member has a stable `code`,
 * keeps the original ioredis error as `cause`, and says what happened and what to do.
 */
export class ResilienceError extends Error {
  readonly code: ErrorCode;
  readonly client: string | undefined;
  readonly node: string | undefined;
  readonly command: string | undefined;
  /** The failure scenario that produced this error, when one did. */
  readonly scenario: FailureScenario | undefined;
  readonly [BRAND] = true;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; target?: ErrorTarget; scenario?: FailureScenario } = {}) {
    // The cause is kept for diagnosis, minus what must never be shown (handshake credentials).
    super(message, options.cause === undefined ? undefined : { cause: redactCause(options.cause) });
    this.name = new.target.name;
    this.code = code;
    this.client = options.target?.client;
    this.node = options.target?.node;
    this.command = options.target?.command;
    this.scenario = options.scenario;
  }
}

/** True for any error of this family, from any copy of the package. */
export function isResilienceError(error: unknown): error is ResilienceError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}

/** True when `error` belongs to this family and carries `code`. */
export function hasErrorCode(error: unknown, code: ErrorCode): error is ResilienceError {
  return isResilienceError(error) && error.code === code;
}

export function describeTarget(target: ErrorTarget): string {
  const parts = [`client "${target.client}"`];
  if (target.node) parts.push(`node ${target.node}`);
  if (target.command) parts.push(`command ${target.command.toUpperCase()}`);
  return parts.join(', ');
}
