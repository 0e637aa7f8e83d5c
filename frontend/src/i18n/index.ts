// Two languages, loaded on demand so only the one in use is downloaded: for
// each, the base dictionary (the delegate's screens) and the strings of the
// chair's and the secretary's screens. The browser's languages choose; the
// user may switch, and the choice is remembered on the tablet.
import { useEffect, useState } from 'preact/hooks';
import { retrying } from '../chunks';
import type chair from './chair.vi';
import type desk from './desk.vi';
import type vi from './vi';

export type Key = keyof typeof vi | keyof typeof desk | keyof typeof chair;
export type Dict = Record<Key, string>;
/** The base dictionary: the delegate's screens. */
export type BaseDict = Record<keyof typeof vi, string>;
export type Lang = 'vi' | 'en';
export const LANGS: Lang[] = ['vi', 'en'];

const STORE_KEY = 'curia.lang';
let dict: Dict | null = null;
let lang: Lang = 'vi';
const listeners = new Set<() => void>();

/** The language to start with: a remembered choice, else the first of the browser's languages we speak, else Vietnamese. */
export function pickLang(languages: readonly string[], saved?: string | null): Lang {
  if (saved === 'vi' || saved === 'en') return saved;
  for (const l of languages) {
    const base = l.toLowerCase().split('-')[0];
    if (base === 'vi' || base === 'en') return base;
  }
  return 'vi';
}

/**
 * English's two plural forms for a count: "one" for exactly 1 (or -1),
 * "other" for anything else (0, 2, 1.5…). Vietnamese has no plural forms:
 * its strings never ask for one.
 */
export function plural(n: string | number, one: string, other: string): string {
  return /^-?1$/.test(String(n).trim()) ? one : other;
}

/**
 * Fills {name} placeholders, and {name|one|other} plural choices: the word
 * for a count of one, else the other ("{pages} {pages|page|pages}" gives
 * "1 page", "3 pages").
 */
export function format(s: string, params?: Record<string, string | number>): string {
  if (!params) return s;
  return s
    .replace(/\{(\w+)\|([^|{}]*)\|([^|{}]*)\}/g, (m, k: string, one: string, other: string) => (k in params ? plural(params[k], one, other) : m))
    .replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

/** What a string not yet loaded shows (a screen beyond the room before its strings are in): never the raw key. */
export const PENDING = '…';

export function t(key: Key, params?: Record<string, string | number>): string {
  const s = dict?.[key];
  if (s === undefined) {
    if (dict && !complete) {
      void loadAll(); // a screen beyond the room: its strings follow, and the listeners re-render it
      return PENDING;
    }
    return format(key, params); // a key missing from a complete dictionary: a bug the tests catch
  }
  return format(s, params);
}

export const currentLang = () => lang;

type Part = Promise<{ default: Record<string, string> }>;
const loaders: Record<Lang, { base: () => Part; more: () => Part[] }> = {
  vi: { base: () => import('./vi'), more: () => [import('./desk.vi'), import('./chair.vi')] },
  en: { base: () => import('./en'), more: () => [import('./desk.en'), import('./chair.en')] },
};

/** Retrying the extra strings after a failure: the first wait, doubled each time up to the last. */
const RETRY_MS = [1000, 30000];

let complete = false; // the chair's and the secretary's strings are in dict
let completing: Promise<boolean> | null = null;
let retryTimer: ReturnType<typeof setTimeout> | null = null;
let retryWait = RETRY_MS[0];
let watchingOnline = false;

/**
 * Switches to language l. With all false, only the base dictionary is
 * loaded: the meeting room starts without the chair's and the secretary's
 * strings (a delegate's tablet never needs them), and loadAll() brings them
 * when a screen beyond the room asks (useAllStrings) or a string is
 * missing. With all true, the start waits for them too; if they fail to
 * load (offline), it starts anyway and they are retried.
 */
export async function setLang(l: Lang, remember = true, all = true): Promise<void> {
  const more = all ? loadMore(l) : null; // asked for with the base: both are small
  more?.catch(() => {});
  const b = await retrying(() => loaders[l].base()); // without it nothing can be shown: until it comes
  const extra = more ? await more.then((v) => v, () => null) : null;
  dict = { ...(extra ?? {}), ...b.default } as Dict;
  complete = extra !== null;
  completing = null;
  lang = l;
  document.documentElement.lang = l;
  if (remember) {
    try {
      localStorage.setItem(STORE_KEY, l);
    } catch {
      /* private mode: the choice lasts for the session */
    }
  }
  if (!complete && more) completing = finish(l, more); // failed: finish() retries, and the screens re-render when they come
  listeners.forEach((fn) => fn());
}

function loadMore(l: Lang): Promise<Record<string, string>> {
  return Promise.all(loaders[l].more()).then((parts) => Object.assign({}, ...parts.map((p) => p.default)) as Record<string, string>);
}

/** Merges the extra strings of language l when they come; on a failure, tries again later. */
function finish(l: Lang, more: Promise<Record<string, string>>): Promise<boolean> {
  const p: Promise<boolean> = more.then(
    (m) => {
      if (lang !== l || completing !== p) return complete;
      dict = { ...m, ...(dict as Record<string, string>) } as Dict;
      complete = true;
      retryWait = RETRY_MS[0];
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      listeners.forEach((fn) => fn());
      return true;
    },
    () => {
      if (completing === p) {
        completing = null;
        retryLater();
      }
      return false;
    },
  );
  return p;
}

/** After a failure (offline): again after a while, doubling, and at once when the network comes back. */
function retryLater(): void {
  if (typeof window !== 'undefined' && !watchingOnline && typeof window.addEventListener === 'function') {
    watchingOnline = true;
    window.addEventListener('online', () => void loadAll());
  }
  if (retryTimer) return;
  retryTimer = setTimeout(() => {
    retryTimer = null;
    void loadAll();
  }, retryWait);
  retryWait = Math.min(retryWait * 2, RETRY_MS[1]);
}

/**
 * Loads the chair's and the secretary's strings too, if not yet (tells the
 * listeners when they are in). Resolves true once they are in, false if
 * this attempt failed (another follows by itself).
 */
export function loadAll(): Promise<boolean> {
  if (complete) return Promise.resolve(true);
  if (!completing) completing = finish(lang, loadMore(lang));
  return completing;
}

/** Whether every screen's strings are in (the chair's, the secretary's, the users'). */
export const allLoaded = (): boolean => complete;

/**
 * For a screen beyond the room (cockpit, desk, users): whether its strings
 * are in. Until they are, the screen shows a loading state instead of
 * rendering (never its raw keys); they are asked for, and retried after a
 * failure, and the screen re-renders when they come.
 */
export function useAllStrings(): boolean {
  const [ok, setOk] = useState(complete);
  useEffect(() => {
    const off = onLangChange(() => setOk(complete));
    if (complete) setOk(true);
    else void loadAll();
    return off;
  }, []);
  return ok && complete;
}

/** Sets the starting language; all false: see setLang. */
export function initLang(all = true): Promise<void> {
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(STORE_KEY);
  } catch {
    /* no storage */
  }
  return setLang(pickLang(navigator.languages ?? [navigator.language], saved), false, all);
}

export function onLangChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Minutes and seconds, "m:ss"; from an hour on "h:mm:ss"; "-" before either past zero. */
export function clock(totalSec: number): string {
  const neg = totalSec < 0;
  const s = Math.abs(Math.round(totalSec));
  const two = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor(s / 60);
  return `${neg ? '-' : ''}${h > 0 ? `${h}:${two(m % 60)}` : m}:${two(s % 60)}`;
}

/** The locale of the current language, for Intl. */
const locale = () => (lang === 'vi' ? 'vi-VN' : 'en-GB');

const numFormats = new Map<Lang, Intl.NumberFormat>();

/**
 * A number as the current language writes it, digits grouped: "15.000" in
 * Vietnamese, "15,000" in English. For counts and weights put into strings
 * (t() params), which would otherwise show them raw.
 */
export function num(n: number): string {
  let f = numFormats.get(lang);
  if (!f) numFormats.set(lang, (f = new Intl.NumberFormat(locale(), { maximumFractionDigits: 0 })));
  return f.format(n);
}

const decFormats = new Map<string, Intl.NumberFormat>();

/**
 * A number with at most `digits` decimals, as the current language writes
 * it: "1,5" and "2.400" in Vietnamese, "1.5" and "2,400" in English (file
 * sizes and the like).
 */
export function dec(n: number, digits = 1): string {
  const key = `${lang}:${digits}`;
  let f = decFormats.get(key);
  if (!f) decFormats.set(key, (f = new Intl.NumberFormat(locale(), { maximumFractionDigits: digits })));
  return f.format(n);
}

const dateFormats = new Map<Lang, Intl.DateTimeFormat>();

/**
 * A date and time as the current language writes it, in the tablet's time
 * zone: "27/11/2026 07:05" in Vietnamese (day/month/year, 24-hour clock, as
 * an office writes it, never CLDR's abbreviated "thg 11"), "27 Nov 2026,
 * 07:05" in English. "" for none.
 */
export function dateTime(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  let f = dateFormats.get(lang);
  if (!f) {
    f = lang === 'vi'
      ? new Intl.DateTimeFormat('vi-VN', { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      : new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
    dateFormats.set(lang, f);
  }
  if (lang !== 'vi') return f.format(d);
  // The parts in a fixed order (dd/mm/yyyy HH:mm): vi-VN puts the time first, and its separators vary.
  const parts = f.formatToParts(d);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((x) => x.type === type)?.value ?? '';
  const two = (s: string) => s.padStart(2, '0');
  return `${two(part('day'))}/${two(part('month'))}/${part('year')} ${two(part('hour'))}:${two(part('minute'))}`;
}
