import type { HealthReport, HealthSource, IndicatorResult } from '../health/health-model.js';
import { scrubberFor } from './status-view.js';

/**
 * The readiness report with the addresses in its reasons replaced by shard or endpoint
 * labels. Readiness is served to anyone (probes carry no credentials), so it must not map
 * the network the way the verbose report does.
 */
export function withoutAddresses(report: HealthReport, sources: readonly HealthSource[]): HealthReport {
  const scrub = scrubberFor(
    sources.map((s) => s.health()),
    false,
  );
  const clean = (r: IndicatorResult): IndicatorResult =>
    Array.isArray(r.reasons) ? { ...r, reasons: (r.reasons as unknown[]).map((x) => scrub.text(String(x))) } : r;
  const map = (group: Record<string, IndicatorResult>) => Object.fromEntries(Object.entries(group).map(([k, v]) => [k, clean(v)]));
  return { status: report.status, info: map(report.info), error: map(report.error), details: map(report.details) };
}
