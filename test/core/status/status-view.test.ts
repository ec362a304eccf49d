import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Subject } from 'rxjs';
import type { ClientHealthSnapshot } from '../../../src/core/health/client-health.js';
import type { HealthSource } from '../../../src/core/health/health-model.js';
import type { ResilienceEvent } from '../../../src/core/events/resilience-event.js';
import { formatSseComment, formatSseMessage } from '../../../src/core/status/sse-format.js';
import { renderStatusPage } from '../../../src/core/status/status-page.js';
import { shutdownSignal, timelineStream } from '../../../src/core/status/status-stream.js';
import { buildStatusView } from '../../../src/core/status/status-view.js';
import type { TimelineEntry } from '../../../src/core/status/timeline-entry.js';
import { withoutAddresses } from '../../../src/core/status/report-redaction.js';
import { readiness } from '../../../src/core/health/health-model.js';

const PRIMARY = '10.1.2.3:7000';
const REPLICA = '10.1.2.4:7001';
const DNS_NAME = 'clustercfg.secret-name.abc123.euw1.cache.amazonaws.com';
const at = 1_764_600_000_000;

function snapshot(breaker: 'open' | 'closed' = 'open'): ClientHealthSnapshot {
  return {
    client: 'cache',
    mode: 'cluster',
    required: true,
    allowPartial: false,
    status: 'ready',
    nodes: [
      { address: PRIMARY, role: 'primary', label: '0-5460', connected: true, breaker, failureRate: 66.666, queueDepth: 4 },
      { address: REPLICA, role: 'replica', label: '0-5460', connected: true, breaker: 'closed', failureRate: 0, queueDepth: 0 },
    ],
    inFlight: 2,
    topologyAgeMs: 1234,
    dns: [
      {
        name: DNS_NAME,
        address: '10.1.2.3',
        addresses: ['10.1.2.3', '10.1.2.4'],
        ttlSeconds: 5,
        lastChangeAt: at,
        lastError: `queryA ETIMEOUT ${DNS_NAME} via 10.9.9.9`,
      },
    ],
    takenAt: at,
  };
}

// Every event type, each carrying the addresses it can carry.
const EVENTS: ResilienceEvent[] = [
  { type: 'client.ready', client: 'cache', timestamp: at },
  { type: 'connection.lost', client: 'cache', timestamp: at + 1, node: PRIMARY },
  { type: 'breaker.opened', client: 'cache', timestamp: at + 2, node: PRIMARY, failureRate: 75, forced: false },
  { type: 'failover.detected', client: 'cache', timestamp: at + 3, node: PRIMARY },
  { type: 'topology.refresh_failed', client: 'cache', timestamp: at + 4, trigger: 'timeouts', reason: `connect ECONNREFUSED ${PRIMARY}` },
  {
    type: 'topology.refreshed',
    client: 'cache',
    timestamp: at + 5,
    trigger: 'timeouts',
    changed: true,
    added: [REPLICA],
    removed: [PRIMARY],
    promoted: [`${PRIMARY} -> ${REPLICA}`],
    durationMs: 3,
  },
  { type: 'endpoint.changed', client: 'cache', timestamp: at + 6, name: DNS_NAME, oldAddress: PRIMARY, newAddress: REPLICA, cause: 'dns' },
  { type: 'queue.overflowed', client: 'cache', timestamp: at + 7, node: PRIMARY, limit: 1000 },
  { type: 'breaker.half_opened', client: 'cache', timestamp: at + 8, node: PRIMARY },
  { type: 'breaker.closed', client: 'cache', timestamp: at + 9, node: PRIMARY, forced: false },
  { type: 'failover.recovered', client: 'cache', timestamp: at + 10, node: REPLICA, durationMs: 2100 },
  { type: 'connection.restored', client: 'cache', timestamp: at + 11, node: PRIMARY },
  { type: 'client.closed', client: 'cache', timestamp: at + 12 },
];
const STREAM_ONLY: ResilienceEvent[] = [
  { type: 'dns.resolved', client: 'cache', timestamp: at, name: DNS_NAME, outcome: 'success', addresses: ['10.1.2.3'], ttlSeconds: 5 },
  { type: 'command.retried', client: 'cache', timestamp: at, scenario: 'timeout', command: 'get', attempt: 2, delayMs: 30 },
];

function source(breaker: 'open' | 'closed' = 'open'): HealthSource {
  return { name: 'cache', health: () => snapshot(breaker), recentEvents: (n = 200) => EVENTS.slice(-n) };
}

const sha = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
const ADDRESS_LIKE = /10\.\d+\.\d+\.\d+|:700[01]|amazonaws|secret-name/;

test('hidden mode: the view names shards and roles, counts and states, and no address or DNS name anywhere', () => {
  const view = buildStatusView([source()], { eventLimit: 50 });
  const text = JSON.stringify(view);
  assert.doesNotMatch(text, ADDRESS_LIKE, text);
  assert.equal(view.verbose, false);
  assert.equal(view.control, false);
  assert.equal(view.status, 'error', 'an open primary breaker makes readiness error');
  const [client] = view.clients;
  assert.deepEqual(
    client!.nodes.map((n) => [n.label, n.role, n.breaker, n.target]),
    [
      ['0-5460', 'primary', 'open', '0-5460'],
      ['0-5460', 'replica', 'closed', '0-5460'],
    ],
  );
  assert.equal(client!.nodes[0]!.failureRate, 66.7);
  assert.equal(client!.nodes[0]!.queueDepth, 4);
  assert.equal(client!.topologyAgeMs, 1234);
  assert.deepEqual(client!.dns[0], {
    addressCount: 2,
    ttlSeconds: 5,
    lastChangeAt: at,
    lastError: 'queryA ETIMEOUT ‹hidden› via ‹hidden›',
  });
  assert.deepEqual(client!.reasons, ['primary 0-5460 breaker open']);
  assert.equal(view.timeline.length, EVENTS.length);
  const byType = Object.fromEntries(view.timeline.map((e) => [e.type, e]));
  assert.equal(byType['breaker.opened']!.text, 'breaker of 0-5460 opened after repeated failures (75% of the window)');
  assert.equal(byType['breaker.opened']!.severity, 'problem');
  assert.equal(byType['failover.recovered']!.text, 'failover on 0-5460 recovered after 2100 ms');
  assert.equal(byType['failover.recovered']!.severity, 'recovery');
  assert.equal(byType['topology.refreshed']!.text, 'topology refreshed (timeouts, 3 ms); 1 node added; 1 node removed; 1 promotion');
  assert.equal(byType['topology.refresh_failed']!.text, 'topology refresh failed (timeouts): connect ECONNREFUSED 0-5460');
});

test('verbose mode shows addresses, DNS names and the refresh details', () => {
  const view = buildStatusView([source()], { verbose: true, control: true });
  assert.equal(view.clients[0]!.nodes[0]!.address, PRIMARY);
  assert.equal(view.clients[0]!.nodes[0]!.target, PRIMARY);
  assert.equal(view.clients[0]!.dns[0]!.name, DNS_NAME);
  assert.equal(view.control, true);
  assert.match(
    view.timeline.find((e) => e.type === 'endpoint.changed')!.text,
    new RegExp(`${DNS_NAME} moved from ${PRIMARY} to ${REPLICA}`),
  );
  assert.equal(buildStatusView([source()], { verbose: true, eventLimit: 3 }).timeline.length, 3);
});

test('the live timeline: transitions only, addresses hidden, ends on the shutdown signal and unsubscribes', () => {
  const events = new Subject<ResilienceEvent>();
  let listener: (() => void) | undefined;
  let removed = 0;
  const registry = {
    onShuttingDown: (l: () => void) => {
      listener = l;
      return () => {
        removed++;
      };
    },
  };
  const got: TimelineEntry[] = [];
  let completed = false;
  timelineStream(events, [source()], { until: shutdownSignal(registry) }).subscribe({
    next: (e) => got.push(e),
    complete: () => (completed = true),
  });
  for (const e of [...STREAM_ONLY, ...EVENTS]) events.next(e);
  assert.equal(got.length, EVENTS.length, 'dns.resolved and command.retried stay out of the timeline');
  assert.doesNotMatch(JSON.stringify(got), ADDRESS_LIKE);
  assert.equal(events.observed, true);
  listener!();
  assert.equal(completed, true);
  assert.equal(events.observed, false, 'the events$ subscription is released');
  assert.equal(removed, 1, 'the shutdown listener is released');
});

test('readiness reasons lose their addresses', () => {
  const report = withoutAddresses(readiness([source()]), [source()]);
  assert.doesNotMatch(JSON.stringify(report), ADDRESS_LIKE);
  assert.deepEqual(report.details.cache!.reasons, ['primary 0-5460 breaker open']);
  assert.equal(report.status, 'error');
});

test('SSE format: event, id, retry and one-line JSON data; line breaks cannot start a field', () => {
  assert.equal(formatSseMessage({ type: 'timeline', id: 7, data: { text: 'a\nb' } }), 'event: timeline\nid: 7\ndata: {"text":"a\\nb"}\n\n');
  assert.equal(formatSseMessage({ type: 'x\ndata: evil', data: 1, retryMs: 2000 }), 'event: x data: evil\nretry: 2000\ndata: 1\n\n');
  assert.equal(formatSseComment('ping'), ': ping\n\n');
});

test('the page is self-contained, small, accessible, and its CSP admits exactly its inline style and script', () => {
  const { body, headers } = renderStatusPage({ title: '<Ops & "cache">' });
  const bytes = Buffer.byteLength(body);
  assert.ok(bytes < 30_000, `page is ${bytes} bytes`);
  assert.doesNotMatch(body, /<script[^>]+src=|<link[^>]+href=|https?:\/\//, 'nothing is fetched from elsewhere');
  assert.match(body, /<title>&lt;Ops &amp; &quot;cache&quot;&gt;<\/title>/);
  assert.match(body, /<html lang="en">/);
  assert.match(body, /<main>/);
  assert.match(body, /aria-live="polite"/);
  const csp = headers['Content-Security-Policy']!;
  const inline = (tag: string) => new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(body)![1]!;
  assert.ok(csp.includes(`script-src ${sha(inline('script'))}`), csp);
  assert.ok(csp.includes(`style-src ${sha(inline('style'))}`), csp);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /frame-ancestors 'none'/);
  // State is spelled out, not only coloured.
  assert.match(body, /'OPEN', 'bad'/);
  assert.doesNotMatch(inline('script'), /innerHTML/, 'values reach the DOM as text only');
});
