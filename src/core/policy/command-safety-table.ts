/**
 * Retry-safety data for Redis commands (DESIGN §3, "Retry safety"). Pure data: the lookup that
 * combines it with the `@ioredis/commands` flags lives in `command-safety.ts`.
 *
 * The flags do most of the work: `readonly` commands are reads, `write` commands are unsafe.
 * These tables list the exceptions, and stay small on purpose: a command missing from them is
 * treated as unsafe, which costs a failed call at worst, while a wrong entry here costs a
 * duplicated write.
 *
 * What "idempotent" means here: replaying the command after it already ran leaves the same
 * data, and its reply is not the decision the caller asked for. Count replies may differ on a
 * replay (a second DEL reports 0 deleted); callers that need exact counts must not rely on
 * retries. Conditional forms (NX, XX, GT, LT, IFEQ... and the *NX commands) stay unsafe even
 * though the data converges: the caller acts on whether the condition held (SET NX as a lock),
 * and a replay after a success reports that it did not. Commands whose reply is the previous
 * value (GETSET, SET ... GET, SETBIT, GETDEL) are unsafe for the same reason.
 */

/** How safe it is to send a command again when the first attempt's outcome is unknown. */
export type CommandSafety = 'read' | 'idempotent' | 'unsafe';

/** Option words whose presence makes an otherwise safe command unsafe. */
export interface UnsafeOptions {
  /** Index in the arguments (0 = first argument after the command name) where options start. */
  readonly from: number;
  /**
   * When set, the options are a prefix of known words and scanning stops at the first other
   * argument. ZADD needs this: a member may be called "INCR", but only before the first score
   * is INCR the option.
   */
  readonly leadingOptions?: readonly string[];
  /** The option words, upper case, matched case-insensitively. */
  readonly words: readonly string[];
}

/** An exception for a `write`-flagged command: safe unless one of the options is present. */
export interface WriteException {
  readonly unless?: UnsafeOptions;
}

const CONDITIONS = ['NX', 'XX', 'GT', 'LT'] as const;

/**
 * Writes that may be replayed when their outcome is unknown (a timeout, or a reset after the
 * command was written). Every key must be a real command carrying the `write` flag.
 */
export const IDEMPOTENT_WRITES: Readonly<Record<string, WriteException>> = Object.freeze({
  // SET replays to the same value. NX/XX/IFEQ... are conditions and GET returns the old value,
  // which a replay would report as the one just written. KEEPTTL and EX/PX/EXAT/PXAT are fine.
  set: { unless: { from: 2, words: ['NX', 'XX', 'GET', 'IFEQ', 'IFNE', 'IFDEQ', 'IFDNE'] } },
  setex: {},
  psetex: {},
  mset: {},
  setrange: {},
  // GETEX returns the value (unchanged by a replay) and sets the same expiry again.
  getex: {},
  del: {},
  unlink: {},
  // Relative EXPIRE/PEXPIRE replayed a moment later push the expiry back by that moment (at
  // most the call's total deadline). The key still expires "N seconds after the call", which
  // is what the caller asked for, so common practice treats them as idempotent. The absolute
  // forms are exactly idempotent.
  expire: { unless: { from: 2, words: CONDITIONS } },
  pexpire: { unless: { from: 2, words: CONDITIONS } },
  expireat: { unless: { from: 2, words: CONDITIONS } },
  pexpireat: { unless: { from: 2, words: CONDITIONS } },
  persist: {},
  hset: {},
  hmset: {},
  hdel: {},
  hpersist: {},
  sadd: {},
  srem: {},
  // ZADD INCR is ZINCRBY; the conditional forms report whether the condition held.
  zadd: { unless: { from: 1, leadingOptions: [...CONDITIONS, 'CH', 'INCR'], words: [...CONDITIONS, 'INCR'] } },
  zrem: {},
  // Removing by score or lexical range twice removes nothing more; by rank it would.
  zremrangebyscore: {},
  zremrangebylex: {},
  pfadd: {},
  geoadd: { unless: { from: 1, leadingOptions: ['NX', 'XX', 'CH'], words: ['NX', 'XX'] } },
  // Same element at the same index.
  lset: {},
  // Acknowledging or deleting a stream entry twice changes nothing more; trimming to a length
  // or a minimum id again keeps the same entries.
  xack: {},
  xdel: {},
  xtrim: {},
});

/**
 * Commands flagged `write` only because an option can store a result: without it they are
 * reads. With it they stay unsafe (the destination may also be a source).
 */
export const READS_UNLESS_STORING: Readonly<Record<string, UnsafeOptions>> = Object.freeze({
  sort: { from: 1, words: ['STORE'] },
  georadius: { from: 5, words: ['STORE', 'STOREDIST'] },
  georadiusbymember: { from: 4, words: ['STORE', 'STOREDIST'] },
  // BITFIELD with only GET operations reads; SET returns the old bits, INCRBY accumulates.
  bitfield: { from: 1, words: ['SET', 'INCRBY'] },
});

/**
 * Commands with neither the `readonly` nor the `write` flag. Every such command that
 * `@ioredis/commands` lists is classed here or in {@link SUBCOMMANDS} (a test enumerates
 * them); one it adds later, or a module command, is unsafe by default. Connection-state
 * commands are idempotent: replaying them on the new connection after a reset is exactly what
 * is needed. The unsafe entries are listed to document why.
 */
export const UNFLAGGED_COMMANDS: Readonly<Record<string, CommandSafety>> = Object.freeze({
  ping: 'read',
  echo: 'read',
  info: 'read',
  role: 'read',
  time: 'read',
  lastsave: 'read',
  command: 'read',
  // WAIT and WAITAOF only wait for replication of earlier writes, so a replay is harmless.
  // They are not reads: they count the replicas of the connection they run on, which must
  // be the primary (a replica or reader always answers 0, or refuses WAITAOF).
  wait: 'idempotent',
  waitaof: 'idempotent',
  auth: 'idempotent',
  hello: 'idempotent',
  select: 'idempotent',
  readonly: 'idempotent',
  readwrite: 'idempotent',
  asking: 'idempotent',
  reset: 'idempotent',
  watch: 'idempotent',
  unwatch: 'idempotent',
  subscribe: 'idempotent',
  psubscribe: 'idempotent',
  ssubscribe: 'idempotent',
  unsubscribe: 'idempotent',
  punsubscribe: 'idempotent',
  sunsubscribe: 'idempotent',
  // A replayed PUBLISH delivers the message twice.
  publish: 'unsafe',
  spublish: 'unsafe',
  // Scripts may do anything; EVAL_RO, EVALSHA_RO and FCALL_RO carry `readonly` and are reads.
  eval: 'unsafe',
  evalsha: 'unsafe',
  fcall: 'unsafe',
  // A transaction is as safe as the commands it wraps; on their own these cannot say.
  multi: 'unsafe',
  exec: 'unsafe',
  discard: 'unsafe',
  // MONITOR turns its connection into a stream of every command; it gets its own connection.
  monitor: 'unsafe',
  // Persistence and self-test: a replayed SAVE writes the same snapshot again; a second
  // BGSAVE/BGREWRITEAOF while one runs is refused or scheduled, which the caller must see.
  save: 'idempotent',
  pfselftest: 'idempotent',
  bgsave: 'unsafe',
  bgrewriteaof: 'unsafe',
  // Operator and replication-protocol commands change the node itself: never replayed.
  debug: 'unsafe',
  failover: 'unsafe',
  replicaof: 'unsafe',
  slaveof: 'unsafe',
  replconf: 'unsafe',
  psync: 'unsafe',
  sync: 'unsafe',
  shutdown: 'unsafe',
  // QUIT closes the connection it arrives on; a replay would close the next one.
  quit: 'unsafe',
});

/**
 * Container commands (CLUSTER SLOTS, CONFIG GET...), whose safety depends on the subcommand in
 * the first argument. `@ioredis/commands` flags the container itself with nothing useful.
 * Unlisted subcommands are unsafe.
 */
// Subcommands grouped by class, several to a line.
// prettier-ignore
export const SUBCOMMANDS: Readonly<Record<string, Readonly<Record<string, CommandSafety>>>> = Object.freeze({
  acl: {
    cat: 'read', dryrun: 'read', genpass: 'read', getuser: 'read', help: 'read', list: 'read',
    users: 'read', whoami: 'read', log: 'idempotent', save: 'idempotent',
    deluser: 'unsafe', load: 'unsafe', setuser: 'unsafe',
  },
  backup: { help: 'read', list: 'read', status: 'read' },
  client: {
    getname: 'read', getredir: 'read', help: 'read', id: 'read', info: 'read', list: 'read',
    trackinginfo: 'read', caching: 'idempotent', 'no-evict': 'idempotent', 'no-touch': 'idempotent',
    setinfo: 'idempotent', setname: 'idempotent', tracking: 'idempotent', unpause: 'idempotent',
    // KILL and PAUSE act on other clients; REPLY OFF would swallow the replies we wait for.
    kill: 'unsafe', pause: 'unsafe', reply: 'unsafe', unblock: 'unsafe',
  },
  cluster: {
    'count-failure-reports': 'read', countkeysinslot: 'read', getkeysinslot: 'read', help: 'read',
    info: 'read', keyslot: 'read', links: 'read', myid: 'read', myshardid: 'read', nodes: 'read',
    replicas: 'read', shards: 'read', slaves: 'read', 'slot-stats': 'read', slots: 'read',
  },
  command: {
    count: 'read', docs: 'read', getkeys: 'read', getkeysandflags: 'read', help: 'read', info: 'read',
    list: 'read',
  },
  config: { get: 'read', help: 'read', set: 'idempotent', resetstat: 'idempotent', rewrite: 'idempotent' },
  // FUNCTION LOAD without REPLACE fails the second time; DELETE too.
  function: { dump: 'read', help: 'read', list: 'read', stats: 'read', flush: 'idempotent' },
  // HIMPORT stages a bulk hash import; every step changes server-side state. All unsafe.
  himport: {},
  hotkeys: { get: 'read', help: 'read' },
  latency: {
    doctor: 'read', graph: 'read', help: 'read', histogram: 'read', history: 'read', latest: 'read',
    reset: 'idempotent',
  },
  memory: { doctor: 'read', help: 'read', 'malloc-stats': 'read', stats: 'read', usage: 'read', purge: 'idempotent' },
  module: { help: 'read', list: 'read' },
  object: { encoding: 'read', freq: 'read', help: 'read', idletime: 'read', refcount: 'read' },
  // PUBSUB counts the subscribers of the node it runs on, and this client subscribes on
  // primaries: like WAIT, harmless to replay but not a read a replica could answer (the
  // socket.io adapter's NUMSUB got 0 from the reader and counted no other server).
  pubsub: {
    help: 'read', channels: 'idempotent', numpat: 'idempotent', numsub: 'idempotent',
    shardchannels: 'idempotent', shardnumsub: 'idempotent',
  },
  // SCRIPT LOAD of the same body yields the same SHA1.
  script: { exists: 'read', help: 'read', flush: 'idempotent', load: 'idempotent' },
  slowlog: { get: 'read', help: 'read', len: 'read', reset: 'idempotent' },
  // XGROUP CREATE fails with BUSYGROUP on a replay; CREATECONSUMER reports whether it created.
  xgroup: { help: 'read', destroy: 'idempotent', setid: 'idempotent' },
  xinfo: { consumers: 'read', groups: 'read', help: 'read', stream: 'read' },
});
