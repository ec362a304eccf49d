/**
 * Cost of one topology refresh on a big cluster: parsing a synthetic 500-shard CLUSTER SLOTS
 * reply and diffing it against the previous topology (src/core/topology/cluster-topology.ts),
 * in time and in heap allocated per refresh.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { diffTopology, parseClusterSlots } from '../src/core/topology/cluster-topology.js';

export interface TopologyScaleResult {
  shards: number;
  replicasPerShard: number;
  /** Size of the reply as RESP on the wire, bytes. */
  replyBytes: number;
  parseMedianMs: number;
  parseP99Ms: number;
  /** Diff after one promotion (the failover case) and with nothing changed (the periodic case). */
  diffChangedMedianMs: number;
  diffUnchangedMedianMs: number;
  /** Heap allocated by one parse + diff, bytes (median of runs with a GC before each). */
  allocatedBytesPerRefresh: number;
  /** Heap still held by one parsed topology after a GC, bytes. */
  retainedBytesPerTopology: number;
}

type SlotsReply = Array<[number, number, ...Array<[string, number, string, unknown[]]>]>;

/** Node `i` of the synthetic cluster: a loopback address, a port and a 40-hex-digit id. */
const node = (i: number): [string, number, string, unknown[]] => [
  `127.0.${Math.floor(i / 250) + 1}.${(i % 250) + 1}`,
  7000 + (i % 1000),
  i.toString(16).padStart(40, '0'),
  [],
];

/** A CLUSTER SLOTS reply, shaped as ioredis returns it, for `shards` shards on loopback. */
export function syntheticClusterSlots(shards: number, replicasPerShard = 1): SlotsReply {
  const reply: SlotsReply = [];
  const per = 16_384 / shards;
  for (let s = 0; s < shards; s++) {
    const start = Math.round(s * per);
    const end = s === shards - 1 ? 16_383 : Math.round((s + 1) * per) - 1;
    const nodes = Array.from({ length: 1 + replicasPerShard }, (_, r) => node(s * (1 + replicasPerShard) + r));
    reply.push([start, end, ...nodes]);
  }
  return reply;
}

/** The same reply after shard `index` failed over: its first replica is now the primary. */
export function promoteFirstReplica(reply: SlotsReply, index: number): SlotsReply {
  return reply.map((range, i) => {
    if (i !== index) return range;
    const [start, end, primary, replica, ...rest] = range;
    return replica ? [start, end, replica, primary!, ...rest] : range;
  }) as SlotsReply;
}

function respSize(value: unknown): number {
  if (Array.isArray(value)) return `*${value.length}\r\n`.length + value.reduce((n: number, v) => n + respSize(v), 0);
  if (typeof value === 'number') return `:${value}\r\n`.length;
  const text = String(value);
  return `$${Buffer.byteLength(text)}\r\n${text}\r\n`.length;
}

function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const p99 = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.99))] ?? 0;
const round3 = (n: number): number => Math.round(n * 1000) / 1000;

/** Times parse and diff; measures allocation with a forced GC around single refreshes. */
export function measureTopologyScale(shards = 500, iterations = 300): TopologyScaleResult {
  const reply = syntheticClusterSlots(shards);
  const promoted = promoteFirstReplica(reply, Math.floor(shards / 2));
  const source = { host: '127.0.0.1', port: 7000 };
  const before = parseClusterSlots(reply, source);
  const parseTimes: number[] = [];
  const changedTimes: number[] = [];
  const unchangedTimes: number[] = [];
  for (let i = 0; i < iterations + 50; i++) {
    const t0 = performance.now();
    const next = parseClusterSlots(i % 2 === 0 ? reply : promoted, source);
    const t1 = performance.now();
    const diff = diffTopology(before, next);
    const t2 = performance.now();
    if (i < 50) continue; // warm-up: let the JIT settle
    parseTimes.push(t1 - t0);
    (diff.changed ? changedTimes : unchangedTimes).push(t2 - t1);
  }
  const gc = gcFunction();
  const allocated: number[] = [];
  for (let i = 0; i < 31; i++) {
    gc();
    const h0 = process.memoryUsage().heapUsed;
    const next = parseClusterSlots(promoted, source);
    const diff = diffTopology(before, next);
    const h1 = process.memoryUsage().heapUsed;
    if (!diff.changed) throw new Error('the promoted topology should differ');
    allocated.push(h1 - h0);
  }
  // Retained size: keep several topologies alive across a GC, so that unrelated heap churn
  // (timers, sockets) averages out instead of swamping one measurement.
  const keep = 20;
  gc();
  const r0 = process.memoryUsage().heapUsed;
  const kept = Array.from({ length: keep }, () => parseClusterSlots(reply, source));
  gc();
  const retained = Math.round((process.memoryUsage().heapUsed - r0) / keep);
  if (kept.some((t) => t.shards.length !== shards)) throw new Error(`a parse did not give ${shards} shards`);
  return {
    shards,
    replicasPerShard: 1,
    replyBytes: respSize(reply),
    parseMedianMs: round3(median(parseTimes)),
    parseP99Ms: round3(p99(parseTimes)),
    diffChangedMedianMs: round3(median(changedTimes)),
    diffUnchangedMedianMs: round3(median(unchangedTimes)),
    allocatedBytesPerRefresh: Math.round(median(allocated)),
    retainedBytesPerTopology: retained,
  };
}
