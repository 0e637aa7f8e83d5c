// Helpers of the browser tests: the server under test (its URL comes from
// CURIA_E2E_URL), an API client per user, Chromium through playwright-core,
// screenshots, and a watch on every page's console.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const BASE = (process.env.CURIA_E2E_URL ?? '').replace(/\/$/, '');
export const PASSWORD = 'curia-demo';
export const HERE = dirname(fileURLToPath(import.meta.url));
export const SHOTS = join(HERE, 'screenshots');
export const IPAD = { width: 1024, height: 768 };
export const PHONE = { width: 390, height: 844 };

if (!BASE) {
  console.error('CURIA_E2E_URL is not set: run scripts/e2e.sh, which starts a server and sets it.');
  process.exit(2);
}

/** Rejects after ms with a message, so nothing waits for ever. */
export function within(ms, promise, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A signed-in API client (Bearer token) for a demo user. */
export async function client(username) {
  const res = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  if (!res.ok) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  const { token, user } = await res.json();
  const call = async (method, path, body) => {
    const init = { method, headers: { Authorization: `Bearer ${token}` } };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers['Content-Type'] = 'application/json';
    }
    const r = await fetch(`${BASE}/api/v1${path}`, init);
    const text = await r.text();
    if (!r.ok) throw new Error(`${username} ${method} ${path}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  return {
    user,
    token,
    get: (p) => call('GET', p),
    post: (p, b = {}) => call('POST', p, b),
    put: (p, b) => call('PUT', p, b),
    upload: (meetingId, name, bytes, fields = {}) => {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      form.append('file', new Blob([bytes], { type: 'application/pdf' }), name);
      return call('POST', `/meetings/${meetingId}/documents`, form);
    },
  };
}

/**
 * Whether the live hub is wired into the server: without a websocket upgrade
 * its route answers 400, and 404 when there is no such route yet.
 */
export async function liveHubWired() {
  const api = await client('thuky');
  const m = await demoMeeting(api);
  const r = await fetch(`${BASE}/api/v1/meetings/${m.id}/live`, { headers: { Authorization: `Bearer ${api.token}` } });
  return r.status !== 404;
}

/** The demo meeting (the only one the demo creates). */
export async function demoMeeting(api) {
  const list = await api.get('/meetings');
  const m = list.meetings.find((x) => x.status === 'live') ?? list.meetings[0];
  if (!m) throw new Error('the demo has no meeting');
  return m;
}

/**
 * Chromium from Debian. playwright-core gives every launch a fresh profile
 * directory of its own (it refuses a --user-data-dir argument) and removes it
 * on close; its contexts are separate tablets with separate cookies.
 */
export async function launch() {
  const browser = await chromium.launch({
    executablePath: process.env.CURIA_E2E_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    timeout: 60000,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  const close = () => within(20000, browser.close(), 'close the browser').catch(() => {});
  return { browser, close };
}

/**
 * A tablet: its own browser context (own cookies), a page, and a record of
 * console errors and failed requests that the test asserts are empty.
 */
export async function tablet(browser, { viewport = IPAD, locale = 'vi-VN', name = 'tablet', timezoneId } = {}) {
  const context = await browser.newContext({ viewport, locale, timezoneId, deviceScaleFactor: 1, hasTouch: true });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${name} console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`${name} page error: ${e.message}`));
  // What did not load, for the message of a screen that never came (requests cut short by a
  // navigation fail too, so this is not asserted empty).
  const net = [];
  page.on('requestfailed', (r) => net.push(`${r.url().replace(BASE, '')} ${r.failure()?.errorText ?? 'failed'}`));
  page.on('response', (r) => r.status() >= 400 && net.push(`${r.url().replace(BASE, '')} ${r.status()}`));
  return { context, page, errors, net, name };
}

/**
 * Waits for the sign-in form. When it does not come, the error says what the
 * page shows instead, what it logged and which requests failed.
 */
export async function signInForm(t, timeout = 15000) {
  try {
    await t.page.locator('input[name=username]').waitFor({ timeout });
  } catch (e) {
    const shows = await t.page.evaluate(() => `${location.pathname}: ${document.body?.innerHTML.slice(0, 300)}`)
      .catch((x) => `unreadable (${x.message})`);
    throw new Error(`${e.message.split('\n')[0]}\n  the page: ${shows}\n  console: ${t.errors.join(' | ') || 'nothing'}`
      + `\n  failed requests: ${t.net?.slice(-20).join(' | ') || 'none'}`);
  }
}

/** Signs in through the login screen. */
export async function signIn(t, username) {
  await t.page.goto(`${BASE}/`);
  await signInForm(t);
  await t.page.locator('input[name=username]').fill(username);
  await t.page.locator('input[name=password]').fill(PASSWORD);
  await t.page.locator('button[type=submit]').click();
  await t.page.locator('.meetings, .room').first().waitFor();
}

export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** The pages the viewer put on screen, with their times (epoch ms). */
export function shown(page) {
  return page.evaluate(() => window.__curiaShown ?? []);
}

/**
 * Waits until the viewer shows page n (of doc, if given) at or after `since`
 * (epoch ms; default: now) and returns when it did.
 */
export async function waitShown(page, n, doc, ms = 10000, since = Date.now() - 5) {
  const h = await page.waitForFunction(
    ([n, doc, since]) => (window.__curiaShown ?? []).find((s) => s.page === n && (!doc || s.doc === doc) && s.at >= since),
    [n, doc, since],
    { timeout: ms, polling: 'raf' },
  );
  return h.jsonValue();
}

/** The page number the viewer currently has on screen. */
export function currentPage(page) {
  return page.evaluate(() => {
    const l = window.__curiaShown ?? [];
    return l.length ? l[l.length - 1].page : 0;
  });
}

// --- the server, for the restart scenario ---

/** Whether this run may restart the server (scripts/e2e.sh tells how). */
export const canRestart = !!(process.env.CURIA_E2E_BIN && process.env.CURIA_E2E_PIDFILE && process.env.CURIA_E2E_DATA);

/** Stops the server (SIGTERM), starts it again on the same address and data, and waits for it. */
export async function restartServer({ downMs = 0 } = {}) {
  const pidFile = process.env.CURIA_E2E_PIDFILE;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(pid, 0);
      await sleep(100);
    } catch {
      break;
    }
  }
  if (downMs) await sleep(downMs);
  const addr = new URL(BASE).host;
  const child = spawn(process.env.CURIA_E2E_BIN, ['demo'], {
    env: { ...process.env, CURIA_ADDR: addr, CURIA_DATA_DIR: process.env.CURIA_E2E_DATA },
    stdio: ['ignore', 'ignore', 'ignore'],
    detached: true,
  });
  child.unref();
  writeFileSync(pidFile, String(child.pid));
  for (let i = 0; i < 300; i++) {
    try {
      const r = await fetch(`${BASE}/healthz`);
      if (r.ok) return;
    } catch {
      /* not yet */
    }
    await sleep(100);
  }
  throw new Error('the server did not come back');
}
