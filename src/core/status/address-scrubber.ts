/**
 * Hides network addresses from what the status page shows when the verbose report is not
 * allowed. Known addresses become the shard or endpoint label an operator can act on; any
 * other `host:port`, IP literal or watched DNS name left in free text (a refresh failure
 * reason quotes the socket error, which names the peer) becomes a placeholder.
 */
export const HIDDEN_ADDRESS = '‹hidden›';

const HOST_PORT = /\[?[0-9a-fA-F:.]*[0-9a-fA-F]\]?:\d{1,5}\b|\b[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+:\d{1,5}\b/g;
const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}\b/g;

export class AddressScrubber {
  private readonly labels = new Map<string, string>();
  private readonly names = new Set<string>();

  /** `show`: leave everything as it is (verbose report allowed). */
  constructor(readonly show: boolean) {}

  /** Remembers that `address` belongs to the shard or endpoint `label`. */
  knowAddress(address: string, label: string): void {
    this.labels.set(address, label);
  }

  /** Remembers a watched DNS name, which is as revealing as an address. */
  knowName(name: string): void {
    this.names.add(name);
  }

  /** The address itself, or its label (or the placeholder) when addresses are hidden. */
  node(address: string | undefined): string | undefined {
    if (address === undefined || this.show) return address;
    return this.labels.get(address) ?? HIDDEN_ADDRESS;
  }

  /** Free text with every address replaced. */
  text(value: string): string {
    if (this.show) return value;
    let out = value;
    // Longest first, so `10.0.0.1:7000` is not half-replaced by `10.0.0.1:700`.
    for (const address of [...this.labels.keys()].toSorted((a, b) => b.length - a.length)) {
      out = out.replaceAll(address, this.labels.get(address)!);
    }
    for (const name of this.names) out = out.replaceAll(name, HIDDEN_ADDRESS);
    // Health reasons say "primary 0-5460 (10.0.0.1:7000)": with the address as its label, once is enough.
    return out
      .replace(HOST_PORT, HIDDEN_ADDRESS)
      .replace(IPV4, HIDDEN_ADDRESS)
      .replace(/(\S+) \(\1\)/g, '$1');
  }
}
