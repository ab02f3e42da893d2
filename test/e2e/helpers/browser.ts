import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium; tests never download a browser. Override with CHROMIUM_PATH. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags for a quiet, sandbox-free headless Chromium that phones nowhere. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** One Chromium for a test file; each user gets an isolated context (own localStorage). */
export interface E2EBrowser {
  browser: Browser;
  /** Opens a fresh context (a new "person") with one page. */
  newUser(): Promise<{ context: BrowserContext; page: Page }>;
  /** Opens another page (a new tab) for the same person, watched like the first. */
  newPage(context: BrowserContext): Promise<Page>;
  /** Closes Chromium; fails if any page hit the Content-Security-Policy (a feature the policy broke). */
  close(): Promise<void>;
}

/**
 * Launches Chromium. Playwright gives every launch a fresh temporary user-data-dir (and
 * refuses a `--user-data-dir` flag), and deletes it on close.
 */
export async function launchBrowser(): Promise<E2EBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
  const cspViolations: string[] = [];
  const newPage = async (context: BrowserContext) => {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(`${page.url()}: ${message.text()}`);
    });
    return page;
  };
  return {
    browser,
    newPage,
    async newUser() {
      const context = await browser.newContext({ viewport: { width: 900, height: 640 } });
      return { context, page: await newPage(context) };
    },
    async close() {
      await browser.close();
      if (cspViolations.length) throw new Error(`the Content-Security-Policy blocked the app:\n${cspViolations.join('\n')}`);
    },
  };
}
