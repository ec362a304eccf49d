import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import type { DnsOptions } from '../options/resilient-redis-options.js';

export interface ResolvedAddress {
  address: string;
  /** Seconds, as the DNS answer gave it; undefined when the source has no TTL (hosts file). */
  ttl: number | undefined;
}

export type ResolveFn = (hostname: string) => Promise<ResolvedAddress[]>;

/** A resolver whose queries in flight can be dropped (on close: a silent server holds a socket). */
export type CancellableResolveFn = ResolveFn & { cancel(): void };

/**
 * Builds the resolver for endpoint names: the user's function, a resolver pointed at the
 * configured servers, or the system's. We resolve ourselves (rather than letting the socket
 * do it) so that we see TTLs, notice changes, and can connect by IP while TLS still verifies
 * the name.
 */
export function createResolver(options: DnsOptions | undefined): CancellableResolveFn {
  if (options?.resolve) {
    const custom = options.resolve;
    const resolve = async (hostname: string): Promise<ResolvedAddress[]> =>
      (await custom(hostname)).map((r) => ({ address: r.address, ttl: r.ttl }));
    return Object.assign(resolve, { cancel: () => {} });
  }
  const resolver = new dns.Resolver({ timeout: 1000, tries: 2 });
  if (options?.servers?.length) resolver.setServers(options.servers);
  const useServersOnly = Boolean(options?.servers?.length);
  let cancelled = false;
  const resolve = async (hostname: string): Promise<ResolvedAddress[]> => {
    if (isIP(hostname)) return [{ address: hostname, ttl: undefined }];
    try {
      const answers = await resolver.resolve4(hostname, { ttl: true });
      return answers.map((a) => ({ address: a.address, ttl: a.ttl }));
    } catch (error) {
      if (useServersOnly || cancelled) throw error;
      // Names from /etc/hosts (localhost, container links) are not in DNS: fall back to the
      // system lookup, which has no TTL.
      const found = await dns.lookup(hostname, { family: 4, all: true });
      return found.map((a) => ({ address: a.address, ttl: undefined }));
    }
  };
  return Object.assign(resolve, {
    cancel: () => {
      cancelled = true;
      resolver.cancel();
    },
  });
}
