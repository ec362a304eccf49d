import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import type { DnsOptions } from '../options/resilient-redis-options.js';

export interface ResolvedAddress {
  address: string;
  /** Seconds, as the DNS answer gave it; undefined when the source has no TTL (hosts file). */
  ttl: number | undefined;
}

export type ResolveFn = (hostname: string) => Promise<ResolvedAddress[]>;

/**
 * Builds the resolver for endpoint names: the user's function, a resolver pointed at the
 * configured servers, or the system's. We resolve ourselves (rather than letting the socket
 * do it) so that we see TTLs, notice changes, and can connect by IP while TLS still verifies
 * the name.
 */
export function createResolver(options: DnsOptions | undefined): ResolveFn {
  if (options?.resolve) {
    const custom = options.resolve;
    return async (hostname) => (await custom(hostname)).map((r) => ({ address: r.address, ttl: r.ttl }));
  }
  const resolver = new dns.Resolver({ timeout: 1000, tries: 2 });
  if (options?.servers?.length) resolver.setServers(options.servers);
  const useServersOnly = Boolean(options?.servers?.length);
  return async (hostname) => {
    if (isIP(hostname)) return [{ address: hostname, ttl: undefined }];
    try {
      const answers = await resolver.resolve4(hostname, { ttl: true });
      return answers.map((a) => ({ address: a.address, ttl: a.ttl }));
    } catch (error) {
      if (useServersOnly) throw error;
      // Names from /etc/hosts (localhost, container links) are not in DNS: fall back to the
      // system lookup, which has no TTL.
      const found = await dns.lookup(hostname, { family: 4, all: true });
      return found.map((a) => ({ address: a.address, ttl: undefined }));
    }
  };
}
