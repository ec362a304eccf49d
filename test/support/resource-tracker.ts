/**
 * What a client leaves behind: the process's active resources (sockets and ref'd timers, what
 * keeps Node alive) and, with async_hooks, every socket, timer and DNS request created while
 * tracking that has not been released yet, ref'd or not (an unref'd timer that fires after
 * close() and opens a connection is a leak too). Used by the close() tests and the soak.
 */
import { createHook } from 'node:async_hooks';

/** Resource kinds that can hold the process or a server open. */
const KINDS = new Set([
  'TCPWRAP',
  'TCPSocketWrap',
  'TLSWRAP',
  'TLSWrap',
  'Timeout',
  'UDPWRAP',
  'UDPWrap',
  'GETADDRINFOREQWRAP',
  'QUERYWRAP',
  'TCPCONNECTWRAP',
]);

/** Counts of `process.getActiveResourcesInfo()` by kind, for the kinds above. */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) if (KINDS.has(kind)) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** Kinds whose count grew from `before` to `after`, as "kind: before -> after". */
export function grownResources(before: Record<string, number>, after: Record<string, number>): string[] {
  return Object.keys(after)
    .filter((k) => (after[k] ?? 0) > (before[k] ?? 0))
    .map((k) => `${k}: ${before[k] ?? 0} -> ${after[k]}`);
}

/** Sockets, timers and DNS requests created since `start()` and not yet released. */
export class ResourceTracker {
  private readonly live = new Map<number, string>();
  private readonly stacks = new Map<number, { stack: string; ref: () => string }>();
  private frozen = false;
  private readonly hook = createHook({
    init: (id, type, _trigger, resource) => {
      if (this.frozen || !KINDS.has(type)) return;
      this.live.set(id, type);
      if (process.env.RESOURCE_TRACKER_STACKS) {
        const stack = new Error(type).stack ?? type;
        const ref = resource as { hasRef?: () => boolean };
        this.stacks.set(id, { stack, ref: () => (typeof ref.hasRef === 'function' ? String(ref.hasRef()) : '?') });
      }
    },
    destroy: (id) => {
      this.live.delete(id);
      this.stacks.delete(id);
    },
  });

  static start(): ResourceTracker {
    const tracker = new ResourceTracker();
    tracker.hook.enable();
    return tracker;
  }

  /**
   * Stops counting new resources (the test's own polling from here on), while still noticing
   * the release of those already counted.
   */
  freeze(): void {
    this.frozen = true;
  }

  /** Where the live resources were created (with RESOURCE_TRACKER_STACKS=1). */
  describe(): string {
    return [...this.stacks.values()].map((s) => `ref=${s.ref()} ${s.stack}`).join('\n---\n');
  }

  /** Live resources created while tracking, by kind. */
  alive(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const type of this.live.values()) counts[type] = (counts[type] ?? 0) + 1;
    return counts;
  }

  stop(): void {
    this.hook.disable();
    this.live.clear();
  }
}

/** Connections a node holds from clients whose CLIENT SETNAME starts with `prefix`. */
export async function namedConnections(
  node: { command(name: string, ...args: string[]): Promise<unknown> },
  prefix: string,
): Promise<number> {
  const list = String(await node.command('CLIENT', 'LIST'));
  return list.split('\n').filter((line) => new RegExp(`\\bname=${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`).test(line)).length;
}
