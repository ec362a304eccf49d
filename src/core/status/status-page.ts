import { createHash } from 'node:crypto';
import { STATUS_PAGE_SCRIPT } from './status-page-script.js';

/** Options of {@link renderStatusPage}. */
export interface StatusPageOptions {
  /** Page title and heading. @default 'Redis resilience status' */
  title?: string;
  /** How often the page re-reads the grid between events, in ms. @default 2000 */
  refreshMs?: number;
}

/** What an adapter sends for the page: the HTML and its headers (CSP included). */
export interface StatusPageResponse {
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

// Colours meet WCAG AA contrast on white; state is always spelled out as well.
const STYLE = `
:root{font:15px/1.4 system-ui,sans-serif;color:#1b1b1b;background:#fff}
body{margin:0 auto;max-width:72rem;padding:1rem}
header{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:baseline;border-bottom:2px solid #ddd}
h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.15rem;margin:1.2rem 0 .3rem}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem}
caption{text-align:left;font-weight:600;padding:.2rem 0}
th,td{border-bottom:1px solid #e3e3e3;padding:.3rem .5rem;text-align:left;vertical-align:top}
thead th{background:#f4f4f4}
.num{text-align:right;font-variant-numeric:tabular-nums}.mono{font-family:ui-monospace,monospace}
.badge{display:inline-block;border-radius:.25rem;padding:0 .4rem;font-weight:700;border:1px solid}
.ok{color:#0b5d1e;background:#e6f4ea;border-color:#0b5d1e}
.warn{color:#7a4100;background:#fff4e0;border-color:#7a4100}
.bad{color:#a10e0e;background:#fdeaea;border-color:#a10e0e}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .8rem;margin:0}
.facts dt{font-weight:600}.facts dd{margin:0}
.reasons{margin:.3rem 0;color:#a10e0e}
#timeline{list-style:none;padding:0;margin:0;font-size:.92rem}
.entry{border-left:.35rem solid #999;padding:.15rem .5rem;margin:.15rem 0}
.entry.problem{border-color:#a10e0e;background:#fdf3f3}.entry.recovery{border-color:#0b5d1e;background:#f1f9f3}
.entry time{font-family:ui-monospace,monospace;color:#555}
.client-name{font-weight:600}
button{font:inherit;padding:.1rem .5rem;cursor:pointer}
#notice:empty{display:none}#notice{padding:.3rem .5rem;background:#fff4e0}
@media (prefers-color-scheme:dark){:root{color:#eee;background:#161616}thead th{background:#262626}th,td{border-color:#333}
.entry time{color:#bbb}.ok{background:#0f2b17;color:#8fe0a4;border-color:#8fe0a4}.warn{background:#332205;color:#ffc56b;border-color:#ffc56b}
.bad{background:#3a0f0f;color:#ff9c9c;border-color:#ff9c9c}.entry.problem{background:#2a1515}.entry.recovery{background:#132418}}
`;

const hash = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * Only our own inline style and script may run, and the page may only talk back to its own
 * origin (the view, the stream, the control route). No framing: the control buttons must
 * not be clickjacked.
 */
const CSP = [
  "default-src 'none'",
  `script-src ${hash(STATUS_PAGE_SCRIPT)}`,
  `style-src ${hash(STYLE)}`,
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The live status page: one self-contained HTML document (style and script inline, nothing
 * fetched from elsewhere). It holds no data itself: the script reads the view and the stream
 * relative to where the page is served (`<base>/page`), so it works under any mount path.
 */
export function renderStatusPage(options: StatusPageOptions = {}): StatusPageResponse {
  const title = escapeHtml(options.title ?? 'Redis resilience status');
  const refreshMs = Math.max(250, Math.round(options.refreshMs ?? 2000));
  const body = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style>${STYLE}</style>
</head>
<body data-refresh-ms="${refreshMs}">
<header>
<h1>${title}</h1>
<p>Readiness: <span id="overall" role="status">loading…</span></p>
<p>Updated <span id="updated">—</span> · events <span id="live" aria-live="polite">connecting…</span></p>
</header>
<p id="notice" role="alert"></p>
<main>
<div id="clients"><noscript>This page needs JavaScript; the same data is served as JSON at ./view.</noscript></div>
<section aria-labelledby="timeline-heading">
<h2 id="timeline-heading">Timeline (newest first)</h2>
<ol id="timeline" aria-live="polite"></ol>
</section>
</main>
<script>${STATUS_PAGE_SCRIPT}</script>
</body>
</html>
`;
  return {
    body,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    },
  };
}
