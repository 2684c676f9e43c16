import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium, driven headless with the flags that keep it offline and quiet. */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });

/** Where the tests write their screenshots (gitignored). */
export const SCREENSHOTS = join(new URL('../../..', import.meta.url).pathname, '.data', 'dashboard');

/** A page that records every console error and uncaught exception, and every response body's text. */
export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  errors: string[];
  /** Every body the page received from the query API (Arrow too), as latin1 text. */
  bodies: string[];
}

export async function watchedPage(
  browser: Browser,
  options: { colorScheme?: 'light' | 'dark' } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    colorScheme: options.colorScheme ?? 'light',
    acceptDownloads: true,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  const bodies: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('response', (response) => {
    if (!new URL(response.url()).pathname.startsWith('/api/')) return;
    response.body().then(
      (bytes) => bodies.push(bytes.toString('latin1')),
      () => {},
    );
  });
  return { page, context, errors, bodies };
}

/** Signs in with a token and waits for the first panel. */
export async function signIn(page: Page, url: string, token: string, search = ''): Promise<void> {
  await page.goto(`${url}/${search}`);
  await page.fill('#token', token);
  await page.click('form.token button[type="submit"]');
  await page.waitForSelector('[role="tablist"]');
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
