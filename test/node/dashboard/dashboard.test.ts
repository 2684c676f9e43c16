import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot, signIn, type WatchedPage, watchedPage } from './browser.ts';
import {
  ADMIN_TOKEN,
  DEMO_NAMESPACES,
  type DemoStack,
  NS_A,
  startDemoStack,
  TOKEN_A,
  VERIFY_PAGE_EVENTS,
} from './dashboard-stack.ts';

// The dashboard in Debian's Chromium against a real local stack holding the demo workload, recorded
// by the example Worker's objects in workerd in three rounds (one events file per round).

const ROUNDS = 3;
const ACTIONS = 30;

let demo: DemoStack;
let browser: Browser;
let admin: WatchedPage;

type Row = Record<string, unknown>;

async function api(view: string, params: Record<string, unknown>, token = ADMIN_TOKEN) {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const response = await fetch(`${demo.stack.url}/api/views/${view}?${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** What a chart element holds: the params it asked with, what it plotted, and uPlot's own data. */
async function chartState(page: Page, view: string) {
  return page.$eval(`[data-chart="${view}"]`, (element: any) => ({
    drawn: element.dataset.drawn as string,
    params: JSON.parse(element.dataset.params ?? '{}') as Record<string, unknown>,
    plotted: element.plotted as { x: (number | string)[]; series: Record<string, number[]> } | undefined,
    data: element.uplot ? (element.uplot.data as number[][]).map((s) => Array.from(s)) : null,
    labels: element.uplot ? (element.uplot.series as { label?: string }[]).map((s) => s.label ?? '') : [],
  }));
}

async function openPanel(page: Page, panel: string): Promise<void> {
  await page.click(`[data-panel="${panel}"]`);
  await page.waitForSelector(`[role="tab"][data-panel="${panel}"][aria-selected="true"]`);
  await page.waitForSelector('#panel > section');
}

beforeAll(async () => {
  [demo, browser] = await Promise.all([startDemoStack(ROUNDS, ACTIONS), launchChromium()]);
  admin = await watchedPage(browser);
  await signIn(admin.page, demo.stack.url, ADMIN_TOKEN);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

describe('the dashboard in Chromium', () => {
  it('draws each chart from exactly the rows the API answers for the same params', async () => {
    const { page } = admin;
    for (const view of ['events_per_bucket', 'active_actors', 'failure_rate', 'action_durations'])
      await page.waitForSelector(`[data-chart="${view}"][data-drawn]`, { timeout: 30_000 });
    await screenshot(page, 'time-series');

    const events = await chartState(page, 'events_per_bucket');
    const eventRows = (await api('events_per_bucket', events.params)).body.result.rows as Row[];
    expect(eventRows.reduce((n, r) => n + Number(r.events), 0)).toBe(
      ROUNDS * ACTIONS * DEMO_NAMESPACES.length,
    );
    const buckets = [...new Set(eventRows.map((r) => Date.parse(String(r.bucket)) / 1000))];
    expect(events.plotted!.x).toEqual(buckets);
    for (const row of eventRows)
      expect(
        events.plotted!.series[String(row.series)]![buckets.indexOf(Date.parse(String(row.bucket)) / 1000)],
      ).toBe(row.events);
    // uPlot holds the stack: each drawn series is its verb's count plus every verb below it.
    const verbs = Object.keys(events.plotted!.series);
    expect(events.data![0]).toEqual(buckets);
    verbs.forEach((verb, i) => {
      const drawn = events.data![events.labels.indexOf(verb)]!;
      const expected = buckets.map((_, b) =>
        verbs.slice(0, i + 1).reduce((n, v) => n + events.plotted!.series[v]![b]!, 0),
      );
      expect(drawn, verb).toEqual(expected);
    });

    const actors = await chartState(page, 'active_actors');
    const actorRows = (await api('active_actors', actors.params)).body.result.rows as Row[];
    expect(actors.plotted!.x).toEqual(actorRows.map((r) => String(r.bucket).slice(0, 10)));
    expect(actors.data![1]).toEqual(actorRows.map((r) => r.actors));

    const failures = await chartState(page, 'failure_rate');
    const failureRows = (await api('failure_rate', failures.params)).body.result.rows as Row[];
    expect(failureRows.length).toBeGreaterThan(0);
    expect(failures.plotted!.x).toEqual(failureRows.map((r) => r.verb));
    expect(failures.data![1]).toEqual(failureRows.map((r) => r.failure_rate));

    const durations = await chartState(page, 'action_durations');
    const durationRows = (await api('action_durations', durations.params)).body.result.rows as Row[];
    if (durationRows.length === 0) expect(durations.drawn).toBe('empty');
    else {
      expect(durations.data![1]).toEqual(durationRows.map((r) => r.p50_ms));
      expect(durations.data![2]).toEqual(durationRows.map((r) => r.p95_ms));
    }
  });

  it('keeps the range and namespace in the URL, and a namespace filter narrows every chart', async () => {
    const { page } = admin;
    await page.check('input[name="range"][value="week"]');
    await page.waitForSelector('#ns-filter[data-loaded="true"]');
    await page.selectOption('#ns-filter', NS_A);
    await page.waitForSelector(`[data-chart="events_per_bucket"][data-drawn]`);
    await page.waitForFunction(
      () => (globalThis as any).document.querySelector('[data-chart="events_per_bucket"]')?.plotted,
    );
    const search = new URL(page.url()).searchParams;
    expect(search.get('range')).toBe('week');
    expect(search.get('ns')).toBe(NS_A);
    const events = await chartState(page, 'events_per_bucket');
    const total = Object.values(events.plotted!.series)
      .flat()
      .reduce((a, b) => a + b, 0);
    expect(total).toBe(ROUNDS * ACTIONS);
    // The address restores the same view (the token stays in this tab's session storage).
    await page.goto(page.url());
    await page.waitForSelector('[data-chart="events_per_bucket"][data-drawn]');
    expect(await page.$eval('#ns-filter', (s: any) => s.value)).toBe(NS_A);
    expect(await page.isChecked('input[name="range"][value="week"]')).toBe(true);
    await page.selectOption('#ns-filter', '');
    await page.waitForFunction(() => !new URL((globalThis as any).location.href).searchParams.has('ns'));
  });

  it('moves between panels by keyboard', async () => {
    const { page } = admin;
    await page.focus('[role="tab"][aria-selected="true"]');
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('[role="tab"][data-panel="audit"][aria-selected="true"]');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.dataset.panel)).toBe(
      'audit',
    );
    await page.waitForSelector('table.health');
    await screenshot(page, 'audit-health');
    expect(await page.$$eval('table.health tbody tr', (rows) => rows.length)).toBe(DEMO_NAMESPACES.length);
  });

  it('shows freshness per namespace from the API headers', async () => {
    const { page } = admin;
    await openPanel(page, 'freshness');
    await screenshot(page, 'freshness');
    const text = await page.textContent('#panel');
    for (const ns of DEMO_NAMESPACES) expect(text).toContain(ns);
    expect(text).not.toContain('unknown');
  });

  it('refuses a bad param in the explorer with the view’s own message, and runs a good one', async () => {
    const { page } = admin;
    await openPanel(page, 'explorer');
    expect(admin.errors).toEqual([]);
    await page.click('[data-view="events_per_bucket"]');
    await page.fill('#param-since', 'last tuesday');
    await page.fill('#param-until', '2026-12-01');
    await page.click('form.params button[type="submit"]');
    const refused = await page.waitForSelector('.refused');
    const expected = await api('events_per_bucket', { since: 'last tuesday', until: '2026-12-01' });
    expect(expected.status).toBe(400);
    expect(await refused.textContent()).toBe(expected.body.error.message);
    const issue = expected.body.error.issues.find((i: { field: string }) => i.field === 'since').message;
    expect(await page.textContent('#issue-since')).toBe(issue);
    expect(await page.getAttribute('#param-since', 'aria-invalid')).toBe('true');
    // Chromium logs the refused request itself; the page logged nothing else.
    expect(admin.errors).toEqual([
      'Failed to load resource: the server responded with a status of 400 (Bad Request)',
    ]);
    admin.errors.length = 0;
    await screenshot(page, 'explorer-refused');

    await page.click('[data-view="audit_completeness"]');
    await page.click('form.params button[type="submit"]');
    await page.waitForSelector('#explorer-result table');
    expect(await page.$$eval('#explorer-result tbody tr', (rows) => rows.length)).toBe(
      DEMO_NAMESPACES.length,
    );
    expect(await page.textContent('#explorer-result .sql code')).toContain('count(DISTINCT seq)');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Download CSV')]);
    expect(download.suggestedFilename()).toBe('audit_completeness.csv');
    await screenshot(page, 'explorer');
  });

  it('verifies a namespace in the browser: green on the clean lake, red naming the seq after an events file is deleted', async () => {
    const { page } = admin;
    await openPanel(page, 'verify');
    await page.selectOption('#verify-ns', NS_A);
    const pages: string[] = [];
    const onRequest = (request: { url(): string }) => {
      if (request.url().includes('/api/views/audit_events')) pages.push(request.url());
    };
    page.on('request', onRequest);
    await page.click('form:has(#verify-ns) button[type="submit"]');
    await page.waitForSelector(
      '#verify-result[data-state="ok"], #verify-result[data-state="bad"], #verify-result[data-state="error"]',
      { timeout: 60_000 },
    );
    expect(
      await page.getAttribute('#verify-result', 'data-state'),
      (await page.textContent('#verify-result')) ?? '',
    ).toBe('ok');
    expect(await page.textContent('#verify-result')).toContain(
      `${ROUNDS * ACTIONS} events, ${ROUNDS * ACTIONS} hashes recomputed`,
    );
    // Every page of the namespace was fetched (the last one short) and checked together.
    page.off('request', onRequest);
    expect(pages).toHaveLength(Math.ceil((ROUNDS * ACTIONS) / VERIFY_PAGE_EVENTS));
    expect(new URL(pages.at(-1)!).searchParams.get('after_seq')).toBe(String(3 * VERIFY_PAGE_EVENTS));
    await screenshot(page, 'verify-green');

    // The middle round's events file goes: its seqs are gone from every namespace.
    const dir = join(demo.stack.pipelines.bucketDir, 'events');
    const files: { path: string; at: number }[] = [];
    const walk = async (d: string): Promise<void> => {
      for (const entry of await readdir(d, { withFileTypes: true })) {
        const path = join(d, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (entry.name.endsWith('.parquet')) files.push({ path, at: (await stat(path)).mtimeMs });
      }
    };
    await walk(dir);
    expect(files).toHaveLength(ROUNDS);
    files.sort((a, b) => a.at - b.at);
    await rm(files[1]!.path);

    await page.click('form:has(#verify-ns) button[type="submit"]');
    await page.waitForSelector('#verify-result[data-state="bad"], #verify-result[data-state="ok"]', {
      timeout: 60_000,
    });
    expect(await page.getAttribute('#verify-result', 'data-state')).toBe('bad');
    const gap = await page.$eval('#verify-result [data-kind="gap"]', (li: any) => ({
      seq: li.dataset.seq,
      text: li.textContent,
    }));
    expect(gap.seq).toBe(String(ACTIONS + 1));
    expect(gap.text).toContain(`seq ${ACTIONS + 1}–${2 * ACTIONS} are missing`);
    await screenshot(page, 'verify-red');
  });

  it('never shows namespace B to a token bound to namespace A', async () => {
    const scoped = await watchedPage(browser);
    const others = DEMO_NAMESPACES.filter((ns) => ns !== NS_A);
    await signIn(scoped.page, demo.stack.url, TOKEN_A);
    await scoped.page.waitForSelector('[data-chart="events_per_bucket"][data-drawn]');
    await scoped.page.waitForSelector('#ns-filter[data-loaded="true"]');
    const options = await scoped.page.$$eval('#ns-filter option', (o: any[]) => o.map((x) => x.value));
    expect(options).toEqual(['', NS_A]);
    const seen: string[] = [(await scoped.page.textContent('body')) ?? ''];
    for (const panel of ['audit', 'freshness', 'explorer', 'verify']) {
      await openPanel(scoped.page, panel);
      if (panel === 'explorer') {
        await scoped.page.click('[data-view="audit_completeness"]');
        await scoped.page.click('form.params button[type="submit"]');
        await scoped.page.waitForSelector('#explorer-result table');
      }
      seen.push((await scoped.page.textContent('body')) ?? '');
      await screenshot(scoped.page, `scoped-${panel}`);
    }
    // Asking the API directly for B's events with A's token answers none of them.
    const refused = await api('audit_events', { ns: others[0]! }, TOKEN_A);
    expect(refused.body.result?.rows ?? []).toEqual([]);
    await scoped.page.waitForTimeout(200);
    for (const text of [...seen, ...scoped.bodies])
      for (const ns of others) expect(text).not.toContain(ns.slice(8));
    expect(seen.join(' ')).toContain(NS_A);
    expect(scoped.errors).toEqual([]);
    await scoped.context.close();
  });

  it('logged no console error in the whole session, and reads well in dark mode', async () => {
    expect(admin.errors).toEqual([]);
    const dark = await watchedPage(browser, { colorScheme: 'dark' });
    await signIn(dark.page, demo.stack.url, ADMIN_TOKEN);
    await dark.page.waitForSelector('[data-chart="events_per_bucket"][data-drawn]');
    await screenshot(dark.page, 'time-series-dark');
    const background = await dark.page.evaluate(() => {
      const g = globalThis as any;
      return g.getComputedStyle(g.document.body).backgroundColor as string;
    });
    expect(background).toBe('rgb(21, 22, 26)');
    expect(dark.errors).toEqual([]);
    await dark.context.close();
  });
});
