/**
 * chart.svg, written by hand (no chart library): success rate over time for each client, the
 * scenarios as shaded bands, and every fault and server-side moment as a vertical line.
 */
import type { Mark, ScenarioResult } from './demo-report.js';
import type { SuccessBucket } from './scenario-metrics.js';

const WIDTH = 1100;
const HEIGHT = 420;
const LEFT = 60;
const RIGHT = 20;
const TOP = 70;
const BOTTOM = 50;
const PLOT_W = WIDTH - LEFT - RIGHT;
const PLOT_H = HEIGHT - TOP - BOTTOM;

/** Line colours per client, in order; more clients cycle. */
const COLOURS = ['#1b7f5f', '#d1495b', '#3366cc', '#e69f00'];
const MARK_COLOURS: Record<Mark['kind'], string> = { fault: '#d1495b', server: '#555555', recovery: '#1b7f5f' };

/** Escapes text for SVG content and attributes. */
export function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&apos;');
}

const fixed = (n: number): string => (Math.round(n * 10) / 10).toString();

/** Polyline path through the buckets; a gap longer than two buckets starts a new segment. */
function pathOf(buckets: readonly SuccessBucket[], x: (s: number) => number, y: (rate: number) => number, bucketS: number): string {
  let d = '';
  let previous: number | undefined;
  for (const b of buckets) {
    if (b.issued === 0) continue;
    const centre = b.tS + bucketS / 2;
    const command = previous === undefined || centre - previous > bucketS * 2.5 ? 'M' : 'L';
    d += `${command}${fixed(x(centre))},${fixed(y(b.good / b.issued))} `;
    previous = centre;
  }
  return d.trim();
}

/** Builds the SVG text. `bucketS` must match the buckets in `series`. */
export function renderChart(results: readonly ScenarioResult[], title: string, bucketS = 0.5): string {
  const clients = [...new Set(results.flatMap((r) => Object.keys(r.series)))];
  const endS = Math.max(1, ...results.map((r) => r.endS));
  const x = (s: number): number => LEFT + (Math.max(0, s) / endS) * PLOT_W;
  const y = (rate: number): number => TOP + (1 - rate) * PLOT_H;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="11">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${LEFT}" y="20" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
  );
  // Scenario bands, labelled above the plot.
  results.forEach((r, i) => {
    const x0 = x(r.startS);
    const w = Math.max(1, x(r.endS) - x0);
    out.push(
      `<rect x="${fixed(x0)}" y="${TOP}" width="${fixed(w)}" height="${PLOT_H}" fill="${i % 2 === 0 ? '#f3f3f3' : '#e8eef5'}"/>`,
      `<text x="${fixed(x0 + 3)}" y="${TOP - 8}" fill="#333333">${escapeXml(r.name)}</text>`,
    );
  });
  // Axes and grid.
  for (const rate of [0, 0.25, 0.5, 0.75, 1]) {
    out.push(
      `<line x1="${LEFT}" y1="${fixed(y(rate))}" x2="${LEFT + PLOT_W}" y2="${fixed(y(rate))}" stroke="#cccccc" stroke-width="0.5"/>`,
      `<text x="${LEFT - 6}" y="${fixed(y(rate) + 4)}" text-anchor="end">${rate * 100}%</text>`,
    );
  }
  const step = endS > 120 ? 20 : endS > 40 ? 10 : 5;
  for (let s = 0; s <= endS; s += step) {
    out.push(
      `<line x1="${fixed(x(s))}" y1="${TOP + PLOT_H}" x2="${fixed(x(s))}" y2="${TOP + PLOT_H + 4}" stroke="#333333"/>`,
      `<text x="${fixed(x(s))}" y="${TOP + PLOT_H + 16}" text-anchor="middle">${s}s</text>`,
    );
  }
  out.push(
    `<line x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${TOP + PLOT_H}" stroke="#333333"/>`,
    `<line x1="${LEFT}" y1="${TOP + PLOT_H}" x2="${LEFT + PLOT_W}" y2="${TOP + PLOT_H}" stroke="#333333"/>`,
    `<text x="${LEFT + PLOT_W / 2}" y="${HEIGHT - 10}" text-anchor="middle">seconds since start (calls bucketed by when they were issued; success = answered within the deadline)</text>`,
    `<text x="14" y="${TOP + PLOT_H / 2}" transform="rotate(-90 14 ${TOP + PLOT_H / 2})" text-anchor="middle">success rate</text>`,
  );
  // Marks: faults solid, server-side moments dashed.
  for (const r of results) {
    r.marks.forEach((m, j) => {
      const mx = fixed(x(m.tS) + 3);
      // Staggered so that marks a few ms apart (a planned failover) keep readable labels.
      const ty = TOP + 6 + (j % 3) * Math.round(PLOT_H / 3);
      const dash = m.kind === 'fault' ? '' : ' stroke-dasharray="4 3"';
      out.push(
        `<line x1="${fixed(x(m.tS))}" y1="${TOP}" x2="${fixed(x(m.tS))}" y2="${TOP + PLOT_H}" stroke="${MARK_COLOURS[m.kind]}" stroke-width="1"${dash}><title>${escapeXml(`${m.label} at ${m.tS.toFixed(2)} s`)}</title></line>`,
        `<text x="${mx}" y="${ty}" transform="rotate(90 ${mx} ${ty})" fill="${MARK_COLOURS[m.kind]}" font-size="9">${escapeXml(m.label)}</text>`,
      );
    });
  }
  // One line per client, merged over every scenario. The first client is drawn wide and
  // underneath, the others dashed on top, so that where lines coincide all stay visible.
  clients.forEach((client, i) => {
    const buckets = results.flatMap((r) => r.series[client] ?? []).sort((a, b) => a.tS - b.tS);
    const colour = COLOURS[i % COLOURS.length]!;
    const style = i === 0 ? 'stroke-width="3.5"' : 'stroke-width="1.6" stroke-dasharray="6 3"';
    out.push(`<path d="${pathOf(buckets, x, y, bucketS)}" fill="none" stroke="${colour}" ${style} stroke-linejoin="round"/>`);
    const lx = LEFT + i * 200;
    out.push(
      `<line x1="${lx}" y1="38" x2="${lx + 24}" y2="38" stroke="${colour}" ${style}/>`,
      `<text x="${lx + 30}" y="42">${escapeXml(client)}</text>`,
    );
  });
  out.push(
    `<text x="${LEFT + clients.length * 200}" y="42" fill="#555555">red line: fault injected; dashed: server-side promotion / restart / DNS flip</text>`,
    '</svg>',
  );
  return `${out.join('\n')}\n`;
}
