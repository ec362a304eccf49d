import { isIP } from 'node:net';
import type { Endpoint, EndpointRole } from '../endpoint/endpoint.js';
import type { EndpointFactory } from '../endpoint/endpoint-factory.js';
import { closeEndpoint, waitUntilReady } from '../endpoint/endpoint-lifecycle.js';
import type { EventBus } from '../events/event-bus.js';
import type { ResolvedOptions } from '../options/validate-options.js';
import type { ResolveFn } from './endpoint-resolver.js';
import { EndpointWatcher, type DnsView, type WatcherOptions } from './endpoint-watcher.js';

/** First wait before a DNS address that failed verification is tried again; doubles per failure. */
const REJECTED_RETRY_MS = 500;
const noop = (): void => {};

/** One endpoint name and what a node behind it must be. */
export interface WatchedEndpointSpec {
  /** The configured host: a DNS name (watched) or an IP. */
  name: string;
  port: number;
  role: EndpointRole;
  /** Tag for CLIENT LIST (`primary`, `reader`). */
  purpose: string;
  /**
   * Extra check a new connection must pass before it is swapped in (ROLE master for the
   * primary name). `waitMs`: how long the node may take to pass it.
   */
  verify?: (candidate: Endpoint, waitMs: number) => Promise<boolean>;
}

export interface WatchedEndpointDeps {
  factory: EndpointFactory;
  bus: EventBus;
  options: ResolvedOptions;
  resolve: ResolveFn;
  watcherOptions: Readonly<WatcherOptions>;
  /** Watch even an IP (a custom resolver may map it). */
  watchIps: boolean;
}

export type SwapCause = 'dns' | 'role-follow';

/**
 * The connection behind one endpoint name (a replication group's primary or reader name).
 * Resolves the name itself and connects by IP, with TLS still verifying the NAME (managed
 * certificates never list node IPs). When the name moves (or a demoted primary names its
 * successor), connects to the new node, verifies it, swaps it in atomically, and closes the
 * old connection only once its in-flight calls have settled: a failover never drops a call.
 */
export class WatchedEndpoint {
  current: Endpoint | undefined;
  readonly watcher: EndpointWatcher | undefined;
  private swap: Promise<boolean> | undefined;
  /** Addresses that failed verification, and when each may be tried again. */
  private readonly rejected = new Map<string, { retryAt: number; count: number }>();
  private readonly retired = new Map<Endpoint, NodeJS.Timeout | undefined>();
  private readonly candidates = new Set<Endpoint>();
  private closed = false;

  constructor(
    private readonly spec: WatchedEndpointSpec,
    private readonly deps: WatchedEndpointDeps,
  ) {
    if (!isIP(spec.name) || deps.watchIps) {
      this.watcher = new EndpointWatcher(spec.name, deps.resolve, deps.watcherOptions, deps.bus, (ip) => this.reconcile(ip));
    }
  }

  get name(): string {
    return this.spec.name;
  }

  /** The swap in progress, if any; resolves true when it moved the endpoint. */
  get swapping(): Promise<boolean> | undefined {
    return this.swap;
  }

  /** Resolves the name, connects (in the background) and starts watching. */
  async start(): Promise<void> {
    // If the first resolution fails, let the socket resolve the name; the watcher keeps
    // trying and moves to the resolved address once it has one.
    const host = (await this.watcher?.resolveNow()) ?? this.spec.name;
    if (this.closed) return;
    this.install(this.create(host, this.spec.port));
    this.current!.client.connect().catch(noop);
    this.watcher?.start();
  }

  /** Evidence that the name may have moved: re-resolve now, then poll fast for a while. */
  poke(): void {
    this.watcher?.poke();
  }

  dnsView(): DnsView | undefined {
    return this.watcher?.snapshot();
  }

  /** `port`: the configured one for the name, or the one a demoted primary's ROLE reply names. */
  private create(host: string, port: number): Endpoint {
    const { name, role, purpose } = this.spec;
    const servername = isIP(name) ? undefined : name;
    return this.deps.factory.create({ address: { host, port }, servername, purpose }, role, name);
  }

  /** Makes `endpoint` current, and treats its connection closing as evidence. */
  private install(endpoint: Endpoint): void {
    this.current = endpoint;
    endpoint.client.on('close', () => {
      if (!this.closed && this.current === endpoint) this.poke();
    });
  }

  /** The watcher resolved `address`: move there if we are elsewhere. */
  private reconcile(address: string): void {
    const current = this.current;
    if (!current || this.closed) return; // start() is still creating it
    const target = `${address}:${this.spec.port}`;
    if (current.id === target) {
      this.rejected.clear();
      return;
    }
    // After a role-follow the name lags behind and names the demoted node for a while: try it
    // again now and then (it might be promoted back), not on every fast poll.
    const rejected = this.rejected.get(target);
    if (rejected && Date.now() < rejected.retryAt) return;
    void this.switchTo(address, this.spec.port, 'dns');
  }

  /**
   * Connects to `host:port`, verifies it (ready, then `spec.verify`), and swaps it in. Resolves
   * true when the endpoint ends up on `host:port`.
   */
  switchTo(host: string, port: number, cause: SwapCause, verifyForMs = 0): Promise<boolean> {
    const target = `${host}:${port}`;
    if (this.closed) return Promise.resolve(false);
    if (this.current?.id === target) return Promise.resolve(true);
    if (this.swap) return this.swap.then(() => this.current?.id === target);
    const { attemptTimeoutMs, connectTimeoutMs } = this.deps.options.policy;
    const swap = (async (): Promise<boolean> => {
      const candidate = this.create(host, port);
      this.candidates.add(candidate);
      try {
        await waitUntilReady(candidate, this.deps.options, Math.min(connectTimeoutMs, attemptTimeoutMs * 2));
        if (this.spec.verify && !(await this.spec.verify(candidate, verifyForMs))) throw new Error(`${target} failed verification`);
        if (this.closed) throw new Error('closed');
      } catch {
        this.noteRejected(target);
        await discard(candidate);
        return false;
      } finally {
        this.candidates.delete(candidate);
      }
      this.rejected.delete(target);
      const old = this.current;
      this.install(candidate);
      const bus = this.deps.bus;
      bus.emit({
        type: 'endpoint.changed',
        node: candidate.id,
        name: this.spec.name,
        oldAddress: old?.id,
        newAddress: candidate.id,
        cause,
      });
      if (old) {
        old.markRecovered();
        this.retire(old);
      }
      return true;
    })().finally(() => {
      this.swap = undefined;
    });
    this.swap = swap;
    return swap;
  }

  private noteRejected(target: string): void {
    const count = (this.rejected.get(target)?.count ?? 0) + 1;
    const wait = Math.min(this.deps.watcherOptions.maxIntervalMs, REJECTED_RETRY_MS * 2 ** Math.min(count - 1, 16));
    this.rejected.set(target, { retryAt: Date.now() + wait, count });
  }

  /**
   * Swapped out: calls waiting for it are released to be routed again (never sent), calls in
   * flight settle on it, and it is closed once its reply queue is empty (or after the longest
   * any call may take).
   */
  private retire(old: Endpoint): void {
    old.retire();
    const { totalTimeoutMs, attemptTimeoutMs } = this.deps.options.policy;
    const limit = performance.now() + Math.max(totalTimeoutMs, attemptTimeoutMs) + 100;
    const check = (): void => {
      if (this.closed) return;
      if (old.client.commandQueue.length > 0 && performance.now() < limit) {
        const timer = setTimeout(check, 25);
        timer.unref();
        this.retired.set(old, timer);
        return;
      }
      this.retired.delete(old);
      void discard(old);
    };
    this.retired.set(old, undefined);
    check();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watcher?.stop();
    for (const timer of this.retired.values()) clearTimeout(timer);
    const all = [...(this.current ? [this.current] : []), ...this.retired.keys(), ...this.candidates];
    this.retired.clear();
    this.candidates.clear();
    await Promise.all(all.map((e) => closeEndpoint(e)));
  }
}

/** Closes a connection we meant to close: not a lost connection, so no event. */
function discard(endpoint: Endpoint): Promise<void> {
  endpoint.markLost();
  return closeEndpoint(endpoint);
}
