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
 */
export function budgetFor(command: Command, policy: Readonly<PolicyOptions>): CallBudget {
  if (!Command.checkFlag('BLOCKING_COMMANDS', command.name)) {
    return { attemptMs: policy.attemptTimeoutMs, totalMs: policy.totalTimeoutMs };
  }
  const blockMs = command.extractBlockingTimeout();
  if (blockMs === null) return { attemptMs: 0, totalMs: Infinity };
  if (blockMs === undefined) return { attemptMs: policy.attemptTimeoutMs, totalMs: policy.totalTimeoutMs };
  const total = blockMs + policy.blockingGraceMs;
  return { attemptMs: total, totalMs: total };
}
