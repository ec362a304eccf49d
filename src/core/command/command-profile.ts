import type { Command } from 'ioredis';
import type { PolicyOptions } from '../options/policy-options.js';
import { getCommandSafety, getPipelineSafety, isReadCommand } from '../policy/command-safety.js';
import { normalizeCommandName } from '../policy/command-name.js';
import { KNOWN_BLOCKING, blockingTimeoutMs, isBlockingName } from './blocking-timeout.js';

/** The time budget of one call. */
export interface CallBudget {
  /** ms for each attempt, or 0 for "no client timeout" (BLPOP 0). */
  readonly attemptMs: number;
  /** ms for the whole call, or Infinity. */
  readonly totalMs: number;
}

/**
 * Everything the command path needs to know about a call, derived once when it enters:
 * nothing downstream looks at the command's name or arguments again to decide.
 */
export interface CommandProfile {
  /** For errors and events: the command's name, or `multi` / `pipeline` for a batch. */
  readonly label: string;
  /** Routed like a read (a replica or reader may serve it). */
  readonly isRead: boolean;
  /**
   * Whether it may be sent again when its outcome is unknown (a timeout, a reset after it was
   * written): reads and idempotent writes. A batch takes its least safe command; a watched
   * transaction is never safe (see watch-state.ts).
   */
  readonly safeWhenUnknown: boolean;
  /** Blocks on the server this time (BLPOP 3, XREAD BLOCK 100): a dedicated connection. */
  readonly blocking: boolean;
  readonly budget: CallBudget;
  /** A script (EVAL, EVALSHA, FCALL…): its own error replies are its answer. */
  readonly script: boolean;
}

const SCRIPTS: ReadonlySet<string> = new Set(['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro']);

/** Budgets shared by every plain call of one policy: the fast lane allocates none. */
const plainBudgets = new WeakMap<Readonly<PolicyOptions>, CallBudget>();

function plainBudget(policy: Readonly<PolicyOptions>): CallBudget {
  let budget = plainBudgets.get(policy);
  if (!budget) {
    budget = Object.freeze({ attemptMs: policy.attemptTimeoutMs, totalMs: policy.totalTimeoutMs });
    plainBudgets.set(policy, budget);
  }
  return budget;
}

/**
 * The budget of a blocking call: the server-side block time plus a grace period, and none at
 * all when it blocks forever by request (a client deadline would cut a healthy wait short
 * and lose the popped element to a late reply). A command of the blocking family that does
 * not block this time (XREAD without BLOCK) gets the plain budget.
 */
function blockingBudget(blockMs: number | undefined, policy: Readonly<PolicyOptions>): CallBudget | undefined {
  if (blockMs === undefined) return undefined;
  if (blockMs === 0) return { attemptMs: 0, totalMs: Infinity };
  const total = blockMs + policy.blockingGraceMs;
  return { attemptMs: total, totalMs: total };
}

class SingleProfile implements CommandProfile {
  private safe: boolean | undefined;
  readonly script: boolean;
  readonly budget: CallBudget;
  readonly blocking: boolean;

  constructor(
    readonly label: string,
    private readonly args: readonly unknown[],
    readonly isRead: boolean,
    name: string,
    policy: Readonly<PolicyOptions>,
  ) {
    let blocking: CallBudget | undefined;
    let dedicated = false;
    if (isBlockingName(name)) {
      if (KNOWN_BLOCKING.has(name)) {
        blocking = blockingBudget(blockingTimeoutMs(name, args), policy);
        dedicated = blocking !== undefined;
      } else {
        // A blocking command whose timeout we can't read (a newer one, say): still on a
        // connection of its own, with the ordinary budget; a client timeout closes that
        // connection, which ends the block on the server too.
        dedicated = true;
      }
    }
    this.blocking = dedicated;
    this.budget = blocking ?? plainBudget(policy);
    this.script = SCRIPTS.has(name);
  }

  /** Computed on the first failure only: a successful call never needs it. */
  get safeWhenUnknown(): boolean {
    this.safe ??= getCommandSafety(this.label, this.args) !== 'unsafe';
    return this.safe;
  }
}

/**
 * The profile of one command. `name` is matched case-insensitively everywhere. With
 * `primaryOnly`, a read is routed like a write: while a WATCH is outstanding, a read from a
 * replica (stale) would let the transaction commit a value computed from old data.
 */
export function profileCommand(
  command: Command,
  policy: Readonly<PolicyOptions>,
  primaryOnly = false,
  /** When the fast lane already worked it out (it routes by it): not derived twice. */
  isRead?: boolean,
): CommandProfile {
  const name = normalizeCommandName(command.name);
  return new SingleProfile(name, command.args, !primaryOnly && (isRead ?? isReadCommand(name, command.args)), name, policy);
}

/** What the fast lane needs of a command's name, looked up once per distinct name. */
export interface CommandTraits {
  /** The name in lower case, as the tables key it. */
  readonly lower: string;
  /** Blocking, or WATCH and what ends it: never the fast lane. */
  readonly slowPath: boolean;
}

/** Commands that start or end a WATCH: the executor tracks where a WATCH holds. */
export const WATCH_COMMANDS: ReadonlySet<string> = new Set(['watch', 'unwatch', 'exec', 'discard']);
const traitsCache = new Map<string, CommandTraits>();
/** Names are few (ioredis's methods), but `call()` takes any string: the cache stays bounded. */
const MAX_CACHED_NAMES = 2048;

export function traitsOf(name: string): CommandTraits {
  let traits = traitsCache.get(name);
  if (traits === undefined) {
    const lower = normalizeCommandName(name);
    traits = Object.freeze({ lower, slowPath: isBlockingName(lower) || WATCH_COMMANDS.has(lower) });
    if (traitsCache.size < MAX_CACHED_NAMES) traitsCache.set(name, traits);
  }
  return traits;
}

/**
 * The profile of a pipeline or transaction. A pipeline is a read only if every command is one;
 * a transaction never is: MULTI is how a caller asks for one consistent view, and a reader may
 * be behind the primary it just wrote to (rate-limiter-flexible reads its counters back with
 * MULTI GET PTTL right after writing them). Safe when
 * the outcome is unknown only if every command is (MULTI/EXEC framing aside), and never safe
 * when the transaction is watched: re-sent, EXEC would run without its WATCH.
 */
export function profileBatch(
  commands: readonly Command[],
  transaction: boolean,
  watched: boolean,
  policy: Readonly<PolicyOptions>,
): CommandProfile {
  return new BatchProfile(commands, transaction, watched, policy);
}

/**
 * A batch's profile. Only what routing and the deadline need is derived up front; its retry
 * safety and whether it holds a script are read on a failure only (a successful batch, nearly
 * every one, never needs them).
 */
class BatchProfile implements CommandProfile {
  readonly label: string;
  readonly isRead: boolean;
  readonly blocking = false;
  readonly budget: CallBudget;
  private safe: boolean | undefined;

  constructor(
    private readonly commands: readonly Command[],
    transaction: boolean,
    private readonly watched: boolean,
    policy: Readonly<PolicyOptions>,
  ) {
    this.label = transaction ? 'multi' : 'pipeline';
    this.isRead = !transaction && commands.every((c) => isReadCommand(normalizeCommandName(c.name), c.args));
    // A big batch takes longer to write and answer: one attempt timeout per 1000 commands.
    const attemptMs = policy.attemptTimeoutMs * Math.max(1, Math.ceil(commands.length / 1000));
    this.budget = { attemptMs, totalMs: Math.max(policy.totalTimeoutMs, attemptMs) };
  }

  get safeWhenUnknown(): boolean {
    this.safe ??= getPipelineSafety(this.named(), { watched: this.watched }) !== 'unsafe';
    return this.safe;
  }

  get script(): boolean {
    return this.commands.some((c) => SCRIPTS.has(normalizeCommandName(c.name)));
  }

  private named(): Array<{ name: string; args: readonly unknown[] }> {
    return this.commands.map((c) => ({ name: normalizeCommandName(c.name), args: c.args }));
  }
}
