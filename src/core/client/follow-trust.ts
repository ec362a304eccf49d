import { isIP } from 'node:net';
import type { ResolveFn } from '../dns/endpoint-resolver.js';
import type { ReplicationOptions } from '../options/resilient-redis-options.js';

/** Addresses remembered as the group's hosts (bounded: a hostile DNS answer may list 1,000). */
const MAX_KNOWN_HOSTS = 256;

/**
 * Decides where a demoted primary's ROLE reply may take a replication client. The reply comes
 * from the server, so it is not taken on its word (issue 15: a reply naming `localhost` was
 * connected to, past `dns.resolve`, and sent the AUTH token):
 *
 * - its host must be one the configured names have resolved to (the replication group's own
 *   hosts: the primary's and the reader's answers) or a configured IP;
 * - a host name in the reply is resolved through our resolver (`dns.servers` / `dns.resolve`),
 *   never handed to the socket;
 * - with TLS that verifies certificates and a configured DNS name, any address will do: the
 *   connection verifies the certificate against that name before AUTH is sent;
 * - the reply's port is used (the promoted node may listen elsewhere).
 *
 * An address that fails the check is never connected to; the DNS watcher takes over. ioredis,
 * by contrast, follows a cluster MOVED or ASK to whatever address the server names.
 */
export class FollowTrust {
  private readonly known = new Set<string>();

  constructor(
    private readonly options: ReplicationOptions,
    private readonly resolve: ResolveFn,
  ) {
    for (const address of [options.primary, options.reader]) if (address && isIP(address.host)) this.known.add(address.host);
  }

  /** The configured names resolved to `addresses`. */
  noteResolved(addresses: readonly string[]): void {
    for (const address of addresses) if (this.known.size < MAX_KNOWN_HOSTS) this.known.add(address);
  }

  /** The address to connect to for a reply naming `host`, or undefined when it is not trusted. */
  async target(host: string): Promise<string | undefined> {
    let addresses: string[];
    if (isIP(host)) addresses = [host];
    else {
      try {
        addresses = (await this.resolve(host)).map((a) => a.address).filter((a) => isIP(a) !== 0);
      } catch {
        return undefined;
      }
    }
    if (this.tlsVerifiesName()) return addresses[0];
    return addresses.find((a) => this.known.has(a));
  }

  private tlsVerifiesName(): boolean {
    const tls = this.options.tls;
    if (!tls || isIP(this.options.primary.host)) return false;
    return tls === true || tls.rejectUnauthorized !== false;
  }
}
