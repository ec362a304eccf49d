/**
 * Writes demo-output/: timeline.json (everything measured, raw), summary.json (five figures per
 * scenario and client) and chart.svg.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderChart } from './chart-svg.js';
import type { LoggedEvent } from './demo-clients.js';
import { type ScenarioResult, buildSummary } from './demo-report.js';

export interface DemoOutput {
  run: 'lab' | 'observe';
  title: string;
  /** Free-form facts about the run: deployment, client options, rates. */
  setup: Record<string, unknown>;
  results: ScenarioResult[];
  events: LoggedEvent[];
}

/** Writes the three files; returns their absolute paths. */
export function writeDemoOutput(dir: string, output: DemoOutput): string[] {
  const root = resolve(dir);
  mkdirSync(root, { recursive: true });
  const timeline = {
    run: output.run,
    title: output.title,
    setup: output.setup,
    scenarios: output.results,
    events: output.events,
  };
  const files: Array<[string, string]> = [
    ['timeline.json', `${JSON.stringify(timeline, null, 1)}\n`],
    ['summary.json', `${JSON.stringify(buildSummary(output.results, output.run), null, 2)}\n`],
    ['chart.svg', renderChart(output.results, output.title)],
  ];
  return files.map(([name, text]) => {
    const path = join(root, name);
    writeFileSync(path, text);
    return path;
  });
}
