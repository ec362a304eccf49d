/**
 * Timeouts, retries and queueing for one client. Every field has a per-mode default in
 * `presets.ts`, chosen for how that deployment type fails; override any field per client.
 */
export interface PolicyOptions {
  /**
   * Longest wait for one attempt's reply, in milliseconds. A hung host (SIGSTOP, black hole)
   * is only ever detected by this timer, so keep it a small multiple of your p99.
   * Uses ioredis's own per-command timer: no second timer per call.
   * @default 500 (cluster, replication), 1000 (standalone)
   */
  attemptTimeoutMs: number;
  /**
   * Total deadline for a call, in milliseconds, covering queueing while a node is not ready,
   * redirects, reconnects, backoff and retries. No call stays pending past it (plus ~50 ms).
   * @default 2000 (cluster, standalone), 3000 (replication: time to follow a DNS flip)
   */
  totalTimeoutMs: number;
  /**
   * Attempts per call, the first included. Retries only happen when they are safe:
   * always when the server proves the command did not run, otherwise only for reads and
   * idempotent writes.
   * @default 3
   */
  maxAttempts: number;
  /** First retry backoff in milliseconds (exponential, full jitter). @default 25 */
  backoffBaseMs: number;
  /** Largest single backoff in milliseconds. @default 400 */
  backoffMaxMs: number;
  /**
   * Calls that may wait per node while it is (re)connecting. Beyond it, calls fail at once
   * with `QueueFullError` instead of piling up behind a dead node.
   * @default 1000
   */
  maxQueueLength: number;
  /**
   * Extra time, in milliseconds, a blocking command (BLPOP, XREAD BLOCK …) gets on top of
   * its own server-side timeout before the client gives up on it. Blocking commands with a
   * timeout of 0 (block forever) get no client deadline, as the caller asked.
   * @default 1000
   */
  blockingGraceMs: number;
  /**
   * Time `close()` waits for in-flight calls to settle before disconnecting, in ms.
   * @default 2000
   */
  closeDrainMs: number;
  /**
   * `connect()` rejects if the client is not ready within this time, in milliseconds.
   * The client keeps reconnecting in the background either way.
   * @default 5000
   */
  connectTimeoutMs: number;
  /**
   * Cluster mode: how long a call to a shard whose primary's breaker is open may wait for
   * the replica's promotion, in milliseconds, instead of failing at once. 0 fails fast
   * (the default): on a managed service a failover takes 15–30 s and holding every caller
   * piles requests up. A value up to the total deadline lets calls issued shortly before
   * the promotion succeed after it. Waiting calls per node are bounded by maxQueueLength.
   * @default 0
   */
  holdDuringFailoverMs: number;
  /** Largest reconnect backoff in milliseconds (jittered, so many clients don't reconnect in step). @default 1000 */
  reconnectMaxMs: number;
}

/** Per shard/endpoint circuit breaker settings (opossum underneath). */
export interface BreakerOptions {
  /** Error percentage in the rolling window that opens the breaker. @default 50 */
  errorThresholdPercentage: number;
  /**
   * Calls needed in the window before the error rate counts. Low, because a hung node
   * must be cut off within a second, not after hundreds of timeouts.
   * @default 5
   */
  volumeThreshold: number;
  /**
   * Failures in a row, with no success in between, that open the breaker whatever the
   * rate. A hung host produces few, slow failures: with low concurrency the error rate
   * alone would take a long time to cross the threshold.
   * @default 3
   */
  consecutiveFailuresToOpen: number;
  /** Rolling statistics window in milliseconds. @default 5000 */
  rollingWindowMs: number;
  /**
   * Time an open breaker waits before letting one probe call through (half-open), in ms.
   * @default 500 (a recovered node serves again within a second)
   */
  resetTimeoutMs: number;
}
