import { Command } from 'ioredis';
import type { PolicyOptions } from '../options/policy-options.js';

export interface CallBudget {
  /** ms for each attempt, or 0 for "no client timeout" (BLPOP 0). */
  attemptMs: number;
  /** ms for the whole call, or Infinity. */
  totalMs: number;
}

/**
 * The time budget of one call. Blocking commands get their own semantics: the server-side
 * block time plus a grace period, and none at all when they block forever by request.
 *
 * ioredis's `extractBlockingTimeout()` returns milliseconds: `0` when the caller asked to
 * block forever (`BLPOP k 0`, `XREAD BLOCK 0`), `null` when a command of the blocking family
 * does not block this time (`XREAD` without `BLOCK`), and `undefined` when the timeout
 * argument does not parse (Redis will reject the command at once).
 */
export function budgetFor(command: Command, policy: Readonly<PolicyOptions>): CallBudget {
  if (!Command.checkFlag('BLOCKING_COMMANDS', command.name)) {
    return { attemptMs: policy.attemptTimeoutMs, totalMs: policy.totalTimeoutMs };
  }
  const blockMs = command.extractBlockingTimeout();
  // Blocking forever is what the caller asked for: a client deadline would cut a healthy
  // wait short and, for BLPOP and friends, lose the popped element to a late reply.
  if (blockMs === 0) return { attemptMs: 0, totalMs: Infinity };
  if (blockMs === null || blockMs === undefined || !(blockMs > 0)) {
    return { attemptMs: policy.attemptTimeoutMs, totalMs: policy.totalTimeoutMs };
  }
  // The server answers nil at blockMs; the grace covers the round trip and a busy node.
  // Queueing while the node reconnects comes out of the same budget, as for any call.
  const total = blockMs + policy.blockingGraceMs;
  return { attemptMs: total, totalMs: total };
}
