import type { DashboardManifest } from './dashboard-config.ts';

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** What the page needs to know at load, handed over in a `<script type="application/json">`. */
export interface PageSettings {
  apiBase: string;
  auditHealthUrl: string | null;
  /** Events per page of the in-browser check's download. */
  verifyPageEvents: number;
  assets: DashboardManifest;
  assetBase: string;
}

/**
 * The page's HTML shell: the stylesheet, the module script and the settings as inert JSON (no inline
 * script, so the Content-Security-Policy can forbid them).
 *
 * @example
 * ```ts
 * import { pageHtml } from './page-html.ts';
 * pageHtml('dotdo analytics', settings).startsWith('<!doctype html>'); // true
 * ```
 */
export function pageHtml(title: string, settings: PageSettings): string {
  const json = JSON.stringify(settings).replace(/</g, '\\u003c');
  const asset = (name: string) => escapeHtml(settings.assetBase + name);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${asset(settings.assets.style)}">
<script type="application/json" id="dashboard-settings">${json}</script>
<script type="module" src="${asset(settings.assets.script)}"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><h1>${escapeHtml(title)}</h1><div id="session"></div></header>
<main id="main" tabindex="-1"><p class="muted">Loading…</p></main>
<noscript><p>This dashboard needs JavaScript.</p></noscript>
</body>
</html>
`;
}
