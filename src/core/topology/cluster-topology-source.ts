import { Command } from 'ioredis';
import type { ClusterNodeSet, NodeTarget } from './cluster-node-set.js';
import { waitUntilReady } from '../endpoint/endpoint-lifecycle.js';
import type { Endpoint } from '../endpoint/endpoint.js';
import type { ResolveFn } from '../dns/endpoint-resolver.js';
import type { EventBus } from '../events/event-bus.js';
import type { ClusterModeOptions } from '../options/resilient-redis-options.js';
import type { ResolvedOptions } from '../options/validate-options.js';
import { isIpAddress, parseClusterSlots, type ClusterTopology } from './cluster-topology.js';
import { readFingerprint } from './change-detector.js';
import { firstAnswer, NoAnswerError } from './first-answer.js';
import { unresolvedHosts, withResolvedHosts } from './resolve-node-hosts.js';

/**
 * Ask the next node after this long without an answer. On a healthy network CLUSTER SLOTS
 * answers in about a millisecond, so a hung node costs this much, not a whole attempt timeout.
 */
export const REFRESH_STAGGER_MS = 100;

/** One configuration endpoint (or seed) name and what it resolved to last. */
export interface SeedView {
  readonly name: string;
  readonly addresses: readonly string[];
  readonly ttlSeconds: number | undefined;
  readonly lastChangeAt: number | undefined;
}

/**
 * Where a cluster router gets its topology: CLUSTER SLOTS from the connected nodes, best
 * candidates first and hedged; and, when none of them answers, from the nodes the
 * configuration endpoint resolves to now.
 */
export class ClusterTopologySource {
  private readonly seedViews = new Map<string, SeedView>();

  constructor(
    private readonly options: ResolvedOptions & ClusterModeOptions,
    private readonly nodes: ClusterNodeSet,
    private readonly resolve: ResolveFn,
    private readonly bus: EventBus,
    /** Why an answer must not be adopted (it would wipe the map, say); undefined to take it. */
    private readonly refuse: (next: ClusterTopology) => string | undefined = () => undefined,
  ) {}

  /** A fresh topology, or a rejection that says why none could be had. */
  async fetch(candidates: readonly Endpoint[]): Promise<ClusterTopology> {
    let reason = 'no cluster node is connected';
    let cause: unknown;
    if (candidates.length > 0) {
      try {
        return await this.ask(candidates, false);
      } catch (error) {
        reason = describe(error);
        cause = error;
      }
    }
    // Every known node failed: the cluster may have moved wholesale (every node replaced,
    // new addresses behind the same name). Resolve the configuration endpoint again and ask
    // whatever it points to now.
    const seeds = await this.seedTargets();
    if (seeds.length === 0) throw new Error(`${reason}; no configuration endpoint or seed resolved`, { cause });
    const asked = new Set(candidates);
    const fresh = seeds.map((s) => this.nodes.ensure(s)).filter((e) => !asked.has(e) || !e.ready);
    if (fresh.length === 0) throw new Error(reason, { cause });
    try {
      return await this.ask(fresh, true);
    } catch (error) {
      throw new Error(`${reason}; configuration endpoint nodes: ${describe(error)}`, { cause: error });
    }
  }

  private async ask(candidates: readonly Endpoint[], waitForConnect: boolean): Promise<ClusterTopology> {
    const attemptMs = this.options.policy.attemptTimeoutMs;
    const connectMs = waitForConnect ? attemptMs * 2 : 0;
    const { value } = await firstAnswer(candidates, (e) => this.fetchFrom(e, connectMs), {
      staggerMs: waitForConnect ? REFRESH_STAGGER_MS / 2 : REFRESH_STAGGER_MS,
      timeoutMs: connectMs + attemptMs + REFRESH_STAGGER_MS,
    });
    return this.resolveHosts(value);
  }

  private async fetchFrom(endpoint: Endpoint, connectMs: number): Promise<ClusterTopology> {
    if (!endpoint.ready) {
      if (connectMs <= 0) throw new Error(`${endpoint.id} not connected`);
      await waitUntilReady(endpoint, this.options, connectMs);
    }
    const command = new Command('cluster', ['SLOTS'], { replyEncoding: 'utf8' });
    command.setTimeout(this.options.policy.attemptTimeoutMs);
    // Sent in the same tick, on the same connection: the baseline the change detector compares
    // with is this node's view at the moment it described the slots.
    const info = readFingerprint(endpoint, this.options.policy.attemptTimeoutMs).catch(() => undefined);
    const reply = await endpoint.client.sendCommand(command);
    const topology = parseClusterSlots(reply, { host: String(endpoint.client.options.host), port: Number(endpoint.client.options.port) });
    const refused = this.refuse(topology);
    // Thrown, this answer counts as this node's failure and the next node is asked.
    if (refused !== undefined) throw new Error(`${endpoint.id} refused: ${refused}`);
    return Object.freeze({ ...topology, fingerprint: await info });
  }

  /** Nodes announced by hostname only get an IP from our resolver (TLS still checks the name). */
  private async resolveHosts(topology: ClusterTopology): Promise<ClusterTopology> {
    const names = unresolvedHosts(topology);
    if (names.length === 0) return topology;
    const found = new Map<string, string>();
    await Promise.all(
      names.map(async (name) => {
        try {
          const [first] = await this.resolve(name);
          if (first) found.set(name, first.address);
        } catch {
          // Left out of the map: that node is dropped from this snapshot (see withResolvedHosts).
        }
      }),
    );
    return withResolvedHosts(topology, found);
  }

  /** The configured seeds as addresses: each name resolved now, IPs as they are. */
  private async seedTargets(): Promise<NodeTarget[]> {
    const out: NodeTarget[] = [];
    for (const seed of this.options.nodes) {
      if (isIpAddress(seed.host)) {
        out.push({ host: seed.host, port: seed.port });
        continue;
      }
      try {
        const answers = await this.resolve(seed.host);
        const addresses = answers.map((a) => a.address);
        this.noteResolution(seed.host, addresses, answers[0]?.ttl);
        for (const address of addresses) out.push({ host: address, port: seed.port, servername: seed.host });
      } catch {
        this.bus.emit({ type: 'dns.resolved', name: seed.host, outcome: 'failure', addresses: [], ttlSeconds: undefined });
      }
    }
    return out;
  }

  private noteResolution(name: string, addresses: string[], ttl: number | undefined): void {
    const before = this.seedViews.get(name);
    const sorted = addresses.toSorted();
    const changed = !before || before.addresses.join() !== sorted.join();
    this.seedViews.set(name, {
      name,
      addresses: Object.freeze(sorted),
      ttlSeconds: ttl,
      lastChangeAt: changed ? Date.now() : before.lastChangeAt,
    });
    this.bus.emit({ type: 'dns.resolved', name, outcome: 'success', addresses: sorted, ttlSeconds: ttl });
  }

  /** What each configuration endpoint name resolved to last. */
  views(): SeedView[] {
    return [...this.seedViews.values()];
  }
}

function describe(error: unknown): string {
  if (error instanceof NoAnswerError) {
    const first = error.errors[0];
    return `${error.message}${first instanceof Error ? ` (${first.message})` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}
