// Worker thread of adapter-*.test.ts: drives an app's HTTP API with the open-loop load probe
// (fetch), on its own event loop. In the app's thread, fetch's client-side work (~1 ms of CPU
// per request) would delay the server's own event loop and inflate the very latencies the
// test measures. Start times are posted back as epoch milliseconds (performance.timeOrigin +
// now), so the main thread can place them on its own clock.
import { parentPort, workerData } from 'node:worker_threads';
import { LoadProbe, type ProbeClient, type ProbeGroup } from '../support/load-probe.js';

export interface HttpLoadWorkerData {
  base: string;
  /** Path of an item, `{key}` replaced by the URL-encoded key. */
  path: string;
  groups: ProbeGroup[];
  ratePerGroup: number;
  deadlineMs: number;
}

/** Resolves with the body of a 200; otherwise rejects with a code saying what came back. */
async function check(res: Response): Promise<string> {
  const text = await res.text();
  if (res.status === 200) return text;
  const retryAfter = res.headers.get('retry-after');
  const code =
    res.status === 503 && Number(retryAfter) >= 1 ? 'ERR_HTTP_503_RETRY_AFTER' : `ERR_HTTP_${res.status}_RETRY_AFTER_${retryAfter}`;
  throw Object.assign(new Error(code), { code });
}

/** The app's API as a probe client. */
function httpClient(base: string, path: string): ProbeClient {
  const url = (key: string) => base + path.replace('{key}', encodeURIComponent(key));
  // 10 s is far beyond every deadline: a hanging request shows as past-deadline, never as a stuck test.
  return {
    get: async (key) => check(await fetch(url(key), { signal: AbortSignal.timeout(10_000) })),
    set: async (key, value) =>
      check(
        await fetch(url(key), {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: value }),
          signal: AbortSignal.timeout(10_000),
        }),
      ),
  };
}

const data = workerData as HttpLoadWorkerData;
const probe = new LoadProbe({
  client: httpClient(data.base, data.path),
  groups: data.groups,
  ratePerGroup: data.ratePerGroup,
  mix: 'read',
  deadlineMs: data.deadlineMs,
});
probe.start();
parentPort!.once('message', async () => {
  const neverSettled = await probe.stop();
  const shift = performance.timeOrigin;
  const result = { neverSettled, records: probe.records.map((r) => ({ ...r, start: r.start + shift, end: r.end + shift })) };
  // oxlint-disable-next-line unicorn/require-post-message-target-origin -- a MessagePort, not a window
  parentPort!.postMessage(result);
});
