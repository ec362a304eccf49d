import { InvalidOptionsError } from '../errors/invalid-options.error.js';
import type { ResilientRedis } from '../client/resilient-redis.js';

/** What the control route answers. */
export interface BreakerControlResult {
  client: string;
  node: string;
  action: 'open' | 'close';
  /**
   * Every breaker of that client after the action: by node address when the verbose report
   * is allowed, else by `label/role`.
   */
  breakers: Record<string, string>;
}

/** The outcome an adapter translates into HTTP: the result, or a 400 / 404 with a message. */
export type BreakerControlOutcome =
  | { readonly ok: true; readonly result: BreakerControlResult }
  | { readonly ok: false; readonly status: 400 | 404; readonly message: string };

/**
 * Forces the breaker of `node` (`host:port`, or the shard or endpoint label) open, or
 * releases it. Shared by both adapters so they answer alike.
 */
export function controlBreaker(
  clients: ReadonlyMap<string, Pick<ResilientRedis, 'controlBreaker' | 'health'>>,
  client: string,
  node: string,
  action: string,
  verbose: boolean,
): BreakerControlOutcome {
  if (action !== 'open' && action !== 'close') return { ok: false, status: 400, message: 'action must be "open" or "close"' };
  const target = clients.get(client);
  if (!target) return { ok: false, status: 404, message: `no client named "${client}"` };
  // A hidden address is never echoed back: the caller learns only that it matched nothing.
  if (!target.controlBreaker(node, action)) return { ok: false, status: 404, message: `client "${client}" has no such node` };
  const breakers = Object.fromEntries(target.health().nodes.map((n) => [verbose ? n.address : `${n.label}/${n.role}`, n.breaker]));
  return { ok: true, result: { client, node, action, breakers } };
}

/**
 * Forcing a breaker open takes a shard out of service, and readiness goes to 503 with it:
 * an anonymous POST must never be able to do that. Refuses, at setup, control without a
 * guard or an authorize hook.
 */
export function assertControlGuarded(enabled: boolean, guarded: boolean, where: string, remedy: string): void {
  if (enabled && !guarded) {
    throw new InvalidOptionsError([
      `${where}: breaker control is enabled without a guard; anyone could force a breaker open and take the app out of service. ${remedy}`,
    ]);
  }
}

/**
 * Whether a control request comes from another site's page: a form or script there would
 * carry the operator's cookies, and the authorize hook would let it through (CSRF). Browsers
 * say where a request comes from (`Sec-Fetch-Site`, else `Origin`); tools such as curl send
 * neither and are left to the guard.
 */
export function isCrossSiteRequest(headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  const site = headers['sec-fetch-site'];
  if (typeof site === 'string') return site !== 'same-origin' && site !== 'none';
  const origin = headers.origin;
  if (typeof origin !== 'string' || origin === 'null') return origin === 'null';
  try {
    return new URL(origin).host !== headers.host;
  } catch {
    return true;
  }
}

export const CROSS_SITE_REFUSAL = 'breaker control is refused from another site (CSRF): use the status page or a tool such as curl';
