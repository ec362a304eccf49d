/**
 * A lint for Prometheus text exposition, covering the rules `promtool check metrics` applies
 * to names and units, for machines without promtool: HELP and TYPE for every family,
 * snake_case names, counters ending in `_total`, base units (seconds, bytes — never
 * milliseconds), histogram buckets with `le` that are cumulative and end in +Inf.
 */
export function lintExposition(text: string): string[] {
  const problems: string[] = [];
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const buckets = new Map<string, Array<{ le: number; value: number }>>();
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# HELP ')) {
      const name = line.split(' ')[2]!;
      helps.add(name);
      if (line.split(' ').length < 4) problems.push(`${name}: empty HELP`);
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types.set(name!, type!);
      if (!/^[a-z_][a-z0-9_]*$/.test(name!)) problems.push(`${name}: not snake_case`);
      if (type === 'counter' && !name!.endsWith('_total')) problems.push(`${name}: counter without _total suffix`);
      if (type !== 'counter' && name!.endsWith('_total')) problems.push(`${name}: _total suffix on a ${type}`);
      if (/_(ms|milliseconds|microseconds|us|minutes|hours)(_|$)/.test(name!)) problems.push(`${name}: not in base units`);
      continue;
    }
    if (line.trim() === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m) {
      problems.push(`unparsable sample line: ${line}`);
      continue;
    }
    const [, sample, , labels = '', value] = m;
    const sampleId = `${sample}{${labels}}`;
    if (seen.has(sampleId)) problems.push(`${sampleId}: duplicate series`);
    seen.add(sampleId);
    if (Number.isNaN(Number(value)) && !['+Inf', '-Inf', 'NaN'].includes(value!)) problems.push(`${sample}: bad value ${value}`);
    const family = [...types.keys()].find((f) => sample === f || sample!.startsWith(`${f}_`)) ?? sample!;
    if (!types.has(family)) problems.push(`${sample}: no TYPE line`);
    if (!helps.has(family)) problems.push(`${sample}: no HELP line`);
    if (sample!.endsWith('_bucket') && types.get(family) === 'histogram') {
      const le = /(?:^|,)le="([^"]+)"/.exec(labels)?.[1];
      if (le === undefined) {
        problems.push(`${sample}: bucket without le`);
        continue;
      }
      const series = `${family}{${labels.replace(/(?:^|,)le="[^"]+"/, '')}}`;
      const list = buckets.get(series) ?? [];
      list.push({ le: le === '+Inf' ? Infinity : Number(le), value: Number(value) });
      buckets.set(series, list);
    }
  }
  for (const [series, list] of buckets) {
    for (let i = 1; i < list.length; i++) {
      if (list[i]!.le <= list[i - 1]!.le) problems.push(`${series}: buckets not in increasing le order`);
      if (list[i]!.value < list[i - 1]!.value) problems.push(`${series}: buckets not cumulative`);
    }
    if (list.at(-1)?.le !== Infinity) problems.push(`${series}: no +Inf bucket`);
  }
  return problems;
}
