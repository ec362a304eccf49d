/**
 * One real redis-server on a loopback host, with a handle to inspect it and to inject the
 * process-level faults: SIGSTOP (a hung host), SIGCONT, SIGKILL (a crash) and restart.
 */
import type { Redis, RedisOptions } from 'ioredis';
import { CachedAdminClient, type ConnectionTarget, type RoleReply, connectAdminClient, parseInfo, parseRole } from './admin-client.js';
import { makeNodeDir, removeNodeDir } from './lab-paths.js';
import { fileSize, tailOf } from './log-tail.js';
import { registerServer, unregisterServer } from './pid-registry.js';
import { allocatePort, clusterBusOffset, releasePort } from './ports.js';
import { forceKill, isAlive, processState, signalPid, waitForExit } from './processes.js';
import { redisServerBinary } from './redis-binary.js';
import { logFileOf, writeRedisConfig } from './redis-config.js';
import type { RedisNodeOptions } from './redis-node-options.js';
import { type ServerCert, testCa } from './tls-ca.js';

export type { RedisNodeOptions } from './redis-node-options.js';
import { spawnWatched } from './watchdog.js';
import { waitFor } from './wait.js';

/** Lifecycle state of a {@link RedisNode}. */
export type RedisNodeStatus = 'running' | 'paused' | 'killed' | 'stopped';

/** Starts a redis-server and resolves once it answers PING. */
export async function startRedisNode(options: RedisNodeOptions = {}): Promise<RedisNode> {
  const ca = options.tls ? await testCa() : undefined;
  const cert = options.tls === true ? ca?.server : options.tls || undefined;
  const node = new RedisNode(options, ca && cert ? { cert, caFile: ca.caFile, ca: ca.ca } : undefined);
  try {
    await node.start();
  } catch (error) {
    await node.stop();
    throw error;
  }
  return node;
}

/** Handle on one lab redis-server. Every admin call is bounded by short timeouts. */
export class RedisNode {
  /** Loopback address the server binds. */
  readonly host: string;
  /** The node's data folder (redis.conf, nodes.conf, redis.log). */
  readonly dir: string;
  /** Server log, for failure diagnostics. */
  readonly logFile: string;
  readonly label: string;
  /** Cluster node id, once a cluster lab has read it (stable across restarts: nodes.conf is kept). */
  nodeId: string | undefined;

  #port = 0;
  #pid = 0;
  #status: RedisNodeStatus = 'killed';
  #ownsPort = false;
  readonly #admin = new CachedAdminClient(() => this.target());
  readonly #clients = new Set<Redis>();
  readonly #options: RedisNodeOptions;
  readonly #tls: { cert: ServerCert; caFile: string; ca: Buffer } | undefined;

  /** Use {@link startRedisNode}. */
  constructor(options: RedisNodeOptions, tls: { cert: ServerCert; caFile: string; ca: Buffer } | undefined) {
    this.#options = options;
    this.#tls = tls;
    this.host = options.host ?? '127.0.0.1';
    this.label = options.label ?? (options.cluster ? 'cluster-node' : 'redis');
    this.dir = makeNodeDir(this.label);
    this.logFile = logFileOf(this.dir);
    if (options.port !== undefined) this.#port = options.port;
  }

  /** Port the server listens on (the TLS port for TLS servers). */
  get port(): number {
    return this.#port;
  }
  /** Pid of the redis-server process itself: the target of SIGSTOP/SIGKILL. */
  get pid(): number {
    return this.#pid;
  }
  get status(): RedisNodeStatus {
    return this.#status;
  }
  /** `host:port`. */
  get address(): string {
    return `${this.host}:${this.#port}`;
  }
  /** True if the server speaks TLS. */
  get tls(): boolean {
    return this.#tls !== undefined;
  }
  /** Cluster bus port (port + 10000). */
  get busPort(): number {
    return this.#port + clusterBusOffset;
  }

  /** Where and how to connect, including the CA and servername for TLS servers. */
  target(): ConnectionTarget {
    return {
      host: this.host,
      port: this.#port,
      password: this.#options.password,
      tls: this.#tls ? { ca: this.#tls.ca, servername: this.#tls.cert.servername } : undefined,
    };
  }

  /** ioredis options to reach this node (no lab-specific timeouts), for tests' own clients. */
  clientOptions(overrides: RedisOptions = {}): RedisOptions {
    const t = this.target();
    return {
      host: t.host,
      port: t.port,
      ...(t.password === undefined ? {} : { password: t.password }),
      ...(t.tls ? { tls: { ca: t.tls.ca, servername: t.tls.servername } } : {}),
      ...overrides,
    };
  }

  /** Starts the server (first start). */
  async start(): Promise<void> {
    await this.#launch(this.#options.port === undefined);
  }

  /** Sends one command on the cached admin connection (replaced after any connection error). */
  command(name: string, ...args: (string | number | Buffer)[]): Promise<unknown> {
    return this.#admin.command(name, ...args);
  }

  /** The cached admin client (connect 1 s, commands 1 s, no retries, no offline queue). */
  admin(): Promise<Redis> {
    return this.#admin.client();
  }

  /** An extra admin-style connection, closed when the node stops (e.g. for DEBUG SLEEP). */
  async openClient(overrides: RedisOptions = {}): Promise<Redis> {
    const client = await connectAdminClient(this.target(), overrides);
    this.#clients.add(client);
    client.once('end', () => this.#clients.delete(client));
    return client;
  }

  /** True if the server answers PING now. */
  async ping(): Promise<boolean> {
    try {
      return (await this.command('PING')) === 'PONG';
    } catch {
      return false;
    }
  }

  /** `ROLE`, parsed. */
  async role(): Promise<RoleReply> {
    return parseRole(await this.command('ROLE'));
  }

  /** `INFO [section]` as a field map. */
  async info(section?: string): Promise<Record<string, string>> {
    const text = section ? await this.command('INFO', section) : await this.command('INFO');
    return parseInfo(String(text));
  }

  /** SIGSTOP: the process freezes, its sockets stay open, nothing answers (a hung host). */
  async pause(): Promise<void> {
    this.#assertAlive('pause');
    signalPid(this.#pid, 'SIGSTOP');
    await waitFor(() => processState(this.#pid) === 'stopped', { timeoutMs: 2000, what: `${this.address} to stop` });
    this.#status = 'paused';
    this.#admin.drop();
  }

  /**
   * SIGCONT after {@link pause}. A no-op on a killed or stopped node, so that a deferred
   * `resume()` in teardown is always safe.
   */
  async resume(): Promise<void> {
    if (this.#status === 'killed' || this.#status === 'stopped') return;
    this.#assertAlive('resume');
    signalPid(this.#pid, 'SIGCONT');
    await waitFor(() => processState(this.#pid) === 'running', { timeoutMs: 2000, what: `${this.address} to resume` });
    this.#status = 'running';
  }

  /** SIGKILL (a crash); resolves once the process is gone. Its folder and port stay reserved. */
  async kill(): Promise<void> {
    if (this.#pid === 0 || this.#status === 'killed' || this.#status === 'stopped') return;
    const pid = this.#pid;
    forceKill(pid);
    this.#status = 'killed';
    this.#admin.drop();
    await waitForExit(pid, 5000);
    unregisterServer(pid);
  }

  /**
   * Restarts with the same folder and configuration (a cluster node keeps its nodes.conf, hence
   * its node id and slots). Kills the running process first. `port: 'new'` moves to a fresh port.
   */
  async restart(options: { port?: number | 'new' } = {}): Promise<void> {
    if (this.#status === 'stopped') throw new Error(`${this.label} was stopped; start a new node instead`);
    await this.kill();
    if (options.port === undefined) {
      // Same port on purpose: a clash must fail loudly rather than move the node silently.
      await this.#launch(false);
      return;
    }
    this.#releasePort();
    this.#port = options.port === 'new' ? 0 : options.port;
    await this.#launch(options.port === 'new');
  }

  /** Final stop: kills the server, closes connections, releases the port, deletes the folder. */
  async stop(): Promise<void> {
    if (this.#status === 'stopped') return;
    for (const client of this.#clients) client.disconnect();
    this.#clients.clear();
    await this.kill();
    this.#status = 'stopped';
    this.#releasePort();
    removeNodeDir(this.dir);
  }

  /** The last lines of the server log, for error messages. */
  logTail(lines = 30): string {
    return tailOf(this.logFile, 0, lines);
  }

  /** `mayMovePort`: on "address already in use", retry on another allocated port. */
  async #launch(mayMovePort: boolean): Promise<void> {
    const binary = redisServerBinary();
    for (let attempt = 1; ; attempt += 1) {
      if (this.#port === 0) {
        this.#port = await allocatePort({
          hosts: this.#options.portHosts ?? [this.host],
          clusterBus: this.#options.cluster !== undefined,
        });
        this.#ownsPort = true;
      }
      const logStart = fileSize(this.logFile);
      const config = writeRedisConfig({
        host: this.host,
        port: this.#port,
        dir: this.dir,
        password: this.#options.password,
        tls: this.#tls,
        cluster: this.#options.cluster,
        extra: this.#options.extraConfig,
      });
      const { pid, watchdogPid } = await spawnWatched(binary, [config]);
      this.#pid = pid;
      this.#status = 'running';
      registerServer({ redisPid: pid, watchdogPid, host: this.host, port: this.#port, dir: this.dir });
      const outcome = await waitFor(async () => (!isAlive(pid) ? 'exited' : (await this.ping()) && 'ready'), {
        timeoutMs: this.#options.startTimeoutMs ?? 10_000,
        what: `redis-server ${this.address} (${this.label}) to answer PING`,
        diagnose: () => `log ${this.logFile}:\n${tailOf(this.logFile, logStart, 20)}`,
      });
      if (outcome === 'ready') return;
      this.#status = 'killed';
      unregisterServer(pid);
      const log = tailOf(this.logFile, logStart, 20);
      // Another process grabbed the port between our verification bind and redis binding it.
      if (mayMovePort && attempt < 5 && /address already in use/i.test(log)) {
        this.#releasePort();
        continue;
      }
      throw new Error(`redis-server ${this.address} exited during startup; log ${this.logFile}:\n${log}`);
    }
  }

  #releasePort(): void {
    if (!this.#ownsPort) return;
    releasePort(this.#port);
    if (this.#options.cluster) releasePort(this.#port + clusterBusOffset);
    this.#ownsPort = false;
    this.#port = 0;
  }

  #assertAlive(action: string): void {
    if (this.#pid === 0 || !isAlive(this.#pid)) throw new Error(`cannot ${action} ${this.address}: not running`);
  }
}
