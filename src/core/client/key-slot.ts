/** CRC16/XMODEM (polynomial 0x1021), the hash Redis Cluster takes modulo 16384. */
const CRC16 = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let crc = i << 8;
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  CRC16[i] = crc;
}

const OPEN = 0x7b; // '{'
const CLOSE = 0x7d; // '}'

/**
 * The hash slot of `key`, as Redis computes it: the part between the first `{` and the first
 * `}` after it when that part is not empty, else the whole key.
 *
 * Two reasons not to use cluster-key-slot (ioredis's choice) here. Every cluster command pays
 * for it, and it first copies each key into a fresh array of UTF-8 bytes (about 0.2-0.4 µs per
 * command in the bench's CPU profile); an ASCII key is its own UTF-8, so its char codes are
 * hashed in place. And after an empty tag it goes on looking for a later one, where Redis
 * hashes the whole key: `foo{}{bar}` is slot 8363 for Redis and 4015 for cluster-key-slot, a
 * MOVED on every call.
 */
export function keySlot(key: string | Buffer): number {
  if (typeof key !== 'string') return bytesSlot(key);
  let start = 0;
  let end = key.length;
  // '{' and '}' are single bytes in UTF-8 and never part of a longer sequence, so char
  // positions find the same tag as byte positions.
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) {
      start = open + 1;
      end = close;
    }
  }
  let crc = 0;
  for (let i = start; i < end; i++) {
    const c = key.charCodeAt(i);
    if (c >= 0x80) return bytesSlot(Buffer.from(key, 'utf8'));
    crc = ((crc << 8) & 0xffff) ^ CRC16[((crc >> 8) ^ c) & 0xff]!;
  }
  return crc & 0x3fff;
}

function bytesSlot(key: Uint8Array): number {
  let start = 0;
  let end = key.length;
  const open = key.indexOf(OPEN);
  if (open >= 0) {
    const close = key.indexOf(CLOSE, open + 1);
    if (close > open + 1) {
      start = open + 1;
      end = close;
    }
  }
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ CRC16[((crc >> 8) ^ key[i]!) & 0xff]!;
  return crc & 0x3fff;
}
