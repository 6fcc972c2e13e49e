/**
 * Launches the system's Chromium (Debian package `chromium`) through playwright-core: never a
 * downloaded browser. Fails with the fix in the message when Chromium is missing.
 */
import { execFileSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';

/** Flags for a headless Chromium in a container: no sandbox (no user namespaces), no GPU, no phoning home. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
];

/** The path of `chromium` on the PATH. */
export function chromiumPath(): string {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      'chromium is not installed: apt-get install chromium (the tests never download a browser)',
    );
  }
}

/** A headless Chromium; close it in afterAll. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
}
