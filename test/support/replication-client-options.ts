/**
 * Library client options for a lab replication pair: the primary as the primary endpoint and
 * the replica as the reader endpoint, either by address or by the DNS names the lab published.
 * Tests add what they vary (readFrom, policy) on top.
 */
import type { ReplicationOptions } from '../../src/index.js';
import type { DnsServer } from './dns-server.js';
import type { ReplicationLab } from './replication-lab.js';

/** The pair by address (no DNS involved). */
export function pairByAddress(pair: ReplicationLab, name: string): ReplicationOptions {
  return {
    name,
    mode: 'replication',
    primary: { host: pair.primary.host, port: pair.primary.port },
    reader: { host: pair.replica.host, port: pair.replica.port },
  };
}

/** The pair by its endpoint names, resolved through the lab's DNS server. */
export function pairByName(pair: ReplicationLab, dns: DnsServer, name: string): ReplicationOptions {
  return {
    name,
    mode: 'replication',
    primary: { host: pair.primaryName, port: pair.primary.port },
    reader: { host: pair.readerName, port: pair.replica.port },
    dns: { servers: [dns.server] },
  };
}
