/**
 * A real DNS server over UDP on 127.0.0.1, authoritative for `*.test`, with records and TTLs that
 * tests set and change while clients run: this is how the lab moves a "primary endpoint" during a
 * failover, as ElastiCache does. It also logs every query, so tests can prove that a client
 * re-resolved (or did not).
 */
import { createSocket } from 'node:dgram';
import { promises as dnsPromises } from 'node:dns';
import { isIPv4 } from 'node:net';
import { Rcode, buildErrorResponse, buildResponse, parseQuery, qtypeNames } from './dns-wire.js';
import { type Moment, now } from './wait.js';

/** One received query. */
export interface DnsQueryRecord {
  readonly name: string;
  /** `A`, `AAAA`, ... or the number as text. */
  readonly type: string;
  readonly at: Moment;
  /** Response code sent (`NOERROR`, `NXDOMAIN`, ...), or `DROPPED`. */
  readonly outcome: string;
}

/** How a name misbehaves, for tests of a failing resolver. */
export type DnsFailureMode = 'servfail' | 'drop';

/** Handle on a running lab DNS server. */
export interface DnsServer {
  readonly host: string;
  readonly port: number;
  /** `127.0.0.1:PORT`, the string for `dns.Resolver#setServers([server])`. */
  readonly server: string;
  /** Sets (or replaces) the A records of `name`; answers carry `ttlSeconds`. */
  setRecord(name: string, addresses: readonly string[], ttlSeconds: number): void;
  /** Deletes `name`: later queries get NXDOMAIN. */
  removeRecord(name: string): void;
  /** Current records of `name`, if any. */
  record(name: string): { addresses: readonly string[]; ttl: number } | undefined;
  /** Makes `name` answer SERVFAIL or not answer at all (`undefined` restores normal answers). */
  setFailure(name: string, mode: DnsFailureMode | undefined): void;
  /** Queries received, oldest first; only those for `name` if given. */
  queries(name?: string): readonly DnsQueryRecord[];
  /** Number of queries received (for `name` if given, A and AAAA both count). */
  queryCount(name?: string): number;
  /** A `dns.promises.Resolver` that asks only this server (short timeout, one try). */
  resolver(options?: { timeout?: number; tries?: number }): dnsPromises.Resolver;
  close(): Promise<void>;
}

const outcomeNames: Readonly<Record<number, string>> = {
  [Rcode.noError]: 'NOERROR',
  [Rcode.formErr]: 'FORMERR',
  [Rcode.servFail]: 'SERVFAIL',
  [Rcode.nxDomain]: 'NXDOMAIN',
  [Rcode.notImp]: 'NOTIMP',
  [Rcode.refused]: 'REFUSED',
};

function normalize(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** Starts the server on 127.0.0.1 with an ephemeral UDP port. */
export async function startDnsServer(): Promise<DnsServer> {
  const records = new Map<string, { addresses: readonly string[]; ttl: number }>();
  const failures = new Map<string, DnsFailureMode>();
  const log: DnsQueryRecord[] = [];
  const socket = createSocket('udp4');

  socket.on('message', (packet, remote) => {
    const query = parseQuery(packet);
    if ('error' in query) {
      socket.send(buildErrorResponse(query.id, Rcode.formErr), remote.port, remote.address);
      return;
    }
    const type = qtypeNames[query.qtype] ?? String(query.qtype);
    const reply = (rcode: number, answers: readonly { address: string; ttl: number }[] = []): void => {
      log.push({ name: query.name, type, at: now(), outcome: outcomeNames[rcode] ?? String(rcode) });
      socket.send(buildResponse(packet, query, rcode, answers), remote.port, remote.address);
    };
    if (query.opcode !== 0) return reply(Rcode.notImp);
    // Only *.test is ours; refusing everything else keeps a misconfigured client from silently
    // resolving real names through the lab.
    if (query.name !== 'test' && !query.name.endsWith('.test')) return reply(Rcode.refused);
    const failure = failures.get(query.name);
    if (failure === 'drop') {
      log.push({ name: query.name, type, at: now(), outcome: 'DROPPED' });
      return;
    }
    if (failure === 'servfail') return reply(Rcode.servFail);
    const entry = records.get(query.name);
    if (!entry) return reply(Rcode.nxDomain);
    // A (or ANY) gets the addresses. AAAA and anything else get an empty NOERROR ("the name
    // exists, no records of that type"): an error or silence would make resolvers that also ask
    // for AAAA wait or fail.
    if ((query.qtype === 1 || query.qtype === 255) && query.qclass === 1) {
      return reply(
        Rcode.noError,
        entry.addresses.map((address) => ({ address, ttl: entry.ttl })),
      );
    }
    return reply(Rcode.noError);
  });

  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: '127.0.0.1', port: 0 }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  // Never keep a test process alive just because a DNS server is open.
  socket.unref();
  const { port } = socket.address();
  let closed = false;

  return {
    host: '127.0.0.1',
    port,
    server: `127.0.0.1:${port}`,
    setRecord(name, addresses, ttlSeconds) {
      for (const address of addresses) {
        if (!isIPv4(address)) throw new Error(`not an IPv4 address: ${address}`);
      }
      records.set(normalize(name), { addresses: [...addresses], ttl: ttlSeconds });
    },
    removeRecord(name) {
      records.delete(normalize(name));
    },
    record(name) {
      return records.get(normalize(name));
    },
    setFailure(name, mode) {
      if (mode) failures.set(normalize(name), mode);
      else failures.delete(normalize(name));
    },
    queries(name) {
      return name === undefined ? [...log] : log.filter((q) => q.name === normalize(name));
    },
    queryCount(name) {
      return name === undefined ? log.length : log.filter((q) => q.name === normalize(name)).length;
    },
    resolver(options = {}) {
      const resolver = new dnsPromises.Resolver({ timeout: options.timeout ?? 500, tries: options.tries ?? 1 });
      resolver.setServers([`127.0.0.1:${port}`]);
      return resolver;
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
