/**
 * Debian's chromium, headless, driven by playwright-core (nothing is downloaded). Each
 * launch gets a fresh profile folder, removed again on close.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { findOnPath } from './redis-binary.js';

/** The chromium binary, or undefined when it is not installed (global setup says how). */
export function chromiumBinary(): string | undefined {
  return findOnPath('chromium') ?? findOnPath('chromium-browser');
}

export interface Browser {
  readonly context: BrowserContext;
  /** Closes the browser and removes its profile; bounded, safe to call twice. */
  close(): Promise<void>;
}

export async function launchChromium(executablePath: string): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'rr-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    timeout: 30_000,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  let closed = false;
  return {
    context,
    async close() {
      if (closed) return;
      closed = true;
      // A wedged browser must not hang teardown: give it 10 s, then kill its process.
      const timer = setTimeout(
        () =>
          context
            .browser()
            ?.close()
            .catch(() => {}),
        10_000,
      );
      try {
        await context.close();
      } finally {
        clearTimeout(timer);
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}
