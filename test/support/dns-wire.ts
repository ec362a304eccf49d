/**
 * Just enough of the DNS wire format (RFC 1035 §4) for the lab's server: parse a one-question
 * query, build a response with A records. Compression is only used in answers (a pointer back to
 * the question name), never expected in queries: resolvers do not compress a lone question.
 */

/** DNS response codes the lab uses. */
export const Rcode = { noError: 0, formErr: 1, servFail: 2, nxDomain: 3, notImp: 4, refused: 5 } as const;

/** Record types by number, for logs. */
export const qtypeNames: Readonly<Record<number, string>> = { 1: 'A', 5: 'CNAME', 28: 'AAAA', 33: 'SRV', 255: 'ANY' };

/** A parsed query. `questionEnd` marks where the question ends, to echo it byte for byte. */
export interface DnsQuery {
  readonly id: number;
  readonly flags: number;
  readonly opcode: number;
  /** Lower-cased, without the trailing dot. */
  readonly name: string;
  readonly qtype: number;
  readonly qclass: number;
  readonly questionEnd: number;
}

/** Parses a query; returns a reason string instead if the packet is not a simple query. */
export function parseQuery(packet: Buffer): DnsQuery | { error: string; id: number } {
  if (packet.length < 12) return { error: 'short header', id: 0 };
  const id = packet.readUInt16BE(0);
  const flags = packet.readUInt16BE(2);
  if (flags & 0x8000) return { error: 'not a query', id };
  if (packet.readUInt16BE(4) !== 1) return { error: 'expected exactly one question', id };
  const labels: string[] = [];
  let offset = 12;
  for (;;) {
    const length = packet[offset];
    if (length === undefined) return { error: 'truncated name', id };
    offset += 1;
    if (length === 0) break;
    if (length > 63) return { error: 'compressed or invalid label', id };
    if (offset + length > packet.length) return { error: 'truncated label', id };
    labels.push(packet.toString('latin1', offset, offset + length));
    offset += length;
  }
  if (offset + 4 > packet.length) return { error: 'truncated question', id };
  return {
    id,
    flags,
    opcode: (flags >> 11) & 0x0f,
    name: labels.join('.').toLowerCase(),
    qtype: packet.readUInt16BE(offset),
    qclass: packet.readUInt16BE(offset + 2),
    questionEnd: offset + 4,
  };
}

/** Builds a response to `query` (echoing its question) with the given A records. */
export function buildResponse(
  packet: Buffer,
  query: DnsQuery,
  rcode: number,
  answers: readonly { address: string; ttl: number }[] = [],
): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.id, 0);
  // QR=1, same opcode, AA=1 (we are the authority for *.test), RD echoed, RA=0.
  header.writeUInt16BE(0x8000 | (query.opcode << 11) | 0x0400 | (query.flags & 0x0100) | rcode, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  const question = packet.subarray(12, query.questionEnd);
  const records = answers.map(({ address, ttl }) => {
    const record = Buffer.alloc(16);
    record.writeUInt16BE(0xc00c, 0); // pointer to the name in the question at offset 12
    record.writeUInt16BE(1, 2); // TYPE A
    record.writeUInt16BE(1, 4); // CLASS IN
    record.writeUInt32BE(ttl >>> 0, 6);
    record.writeUInt16BE(4, 10);
    address.split('.').forEach((octet, i) => record.writeUInt8(Number(octet), 12 + i));
    return record;
  });
  return Buffer.concat([header, question, ...records]);
}

/** A minimal error response when the query could not be parsed (header only, no question). */
export function buildErrorResponse(id: number, rcode: number): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x8000 | rcode, 2);
  return header;
}
