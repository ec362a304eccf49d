/**
 * Server-Sent Events wire format (WHATWG HTML, "server-sent events"): `event:`, `id:`,
 * `data:` and `retry:` fields, one message per blank line. Framework-free, so every adapter
 * writes the same bytes.
 */

/** One SSE message. */
export interface SseMessage {
  /** The event name the page listens for (`addEventListener(type)`). */
  readonly type?: string;
  readonly id?: string | number;
  /** Serialised as JSON on one `data:` line. */
  readonly data: unknown;
  /** Reconnection delay the browser should use, in ms. */
  readonly retryMs?: number;
}

/** A field value must not contain a line break: it would start a new field. */
const oneLine = (value: string): string => value.replace(/[\r\n]+/g, ' ');

export function formatSseMessage(message: SseMessage): string {
  let out = '';
  if (message.type !== undefined) out += `event: ${oneLine(message.type)}\n`;
  if (message.id !== undefined) out += `id: ${oneLine(String(message.id))}\n`;
  if (message.retryMs !== undefined) out += `retry: ${Math.max(0, Math.round(message.retryMs))}\n`;
  // JSON.stringify escapes line breaks inside strings, so the payload is always one line.
  out += `data: ${JSON.stringify(message.data) ?? 'null'}\n\n`;
  return out;
}

/** A comment line: ignored by the browser, it keeps proxies from closing an idle stream. */
export function formatSseComment(text = ''): string {
  return `: ${oneLine(text)}\n\n`;
}

/** Headers of an SSE response. `no-transform` and `X-Accel-Buffering` stop proxies buffering it. */
export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-store, no-transform',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
});
