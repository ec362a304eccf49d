import { ErrorCodes } from './error-codes.js';
import { ResilienceError, hasErrorCode, isResilienceError } from './resilience.error.js';

/**
 * One per-slot part of a split cross-slot command. Keys are named by their position in the
 * caller's argument list, never by value (key values stay out of errors and logs).
 */
export interface CommandPart {
  /** The hash slot every key of this part maps to. */
  readonly slot: number;
  /** Positions of this part's keys among the command's keys, in the caller's order. */
  readonly keyIndexes: readonly number[];
  /** `host:port` of the node that failed the part, when the error says so. */
  readonly node: string | undefined;
  /** What the part returned, when it succeeded. */
  readonly value?: unknown;
  /** Why the part failed; undefined when it succeeded. */
  readonly error?: unknown;
}

/**
 * A multi-key command split across hash slots (cluster option `crossSlot.split`) where some
 * parts failed and the others completed: the healthy parts' writes took effect. `parts` has
 * every part in slot order; `failed` only the failing ones, each with its error.
 */
export class PartialFailureError extends ResilienceError {
  readonly parts: readonly CommandPart[];
  readonly failed: readonly CommandPart[];

  constructor(client: string, command: string, parts: readonly CommandPart[]) {
    const failed = parts.filter((p) => p.error !== undefined);
    const named = failed.slice(0, 5).map((p) => `slot ${p.slot}${p.node ? ` on node ${p.node}` : ''} (${reason(p.error)})`);
    const more = failed.length > named.length ? ` and ${failed.length - named.length} more` : '';
    super(
      ErrorCodes.partialFailure,
      `${command.toUpperCase()} on client "${client}" was split across ${parts.length} hash slots and ` +
        `${failed.length} part(s) failed: ${named.join(', ')}${more}. The other parts completed (not atomic); ` +
        `see error.parts for each part's result and retry only the failed ones.`,
      { target: { client, command }, cause: failed[0]?.error, scenario: scenarioOf(failed[0]?.error) },
    );
    this.parts = parts;
    this.failed = failed;
  }
}

/** The first failure's scenario, so that adapters map the error as they would map that failure. */
function scenarioOf(error: unknown): ResilienceError['scenario'] {
  return isResilienceError(error) ? error.scenario : undefined;
}

/** The error's code, or its class name: enough to tell what failed without echoing a message. */
function reason(error: unknown): string {
  if (isResilienceError(error)) return error.code;
  if (error instanceof Error) return /^[A-Z]+/.exec(error.message)?.[0] ?? error.name;
  return 'failed';
}

export function isPartialFailureError(error: unknown): error is PartialFailureError {
  return hasErrorCode(error, ErrorCodes.partialFailure);
}
