// Two languages, loaded on demand so only the one in use is downloaded: for
// each, the base dictionary (the delegate's screens) and the strings of the
// chair's and the secretary's screens. The browser's languages choose; the
// user may switch, and the choice is remembered on the tablet.
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

/** Fills {name} placeholders. */
export function format(s: string, params?: Record<string, string | number>): string {
  if (!params) return s;
  return s.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

export function t(key: Key, params?: Record<string, string | number>): string {
  const s = dict?.[key];
  if (s === undefined && dict && !complete) void loadAll(); // a screen beyond the room: its strings follow
  return format(s ?? key, params);
}

export const currentLang = () => lang;

type Part = Promise<{ default: Record<string, string> }>;
const loaders: Record<Lang, { base: () => Part; more: () => Part[] }> = {
  vi: { base: () => import('./vi'), more: () => [import('./desk.vi'), import('./chair.vi')] },
  en: { base: () => import('./en'), more: () => [import('./desk.en'), import('./chair.en')] },
};

let complete = false; // the chair's and the secretary's strings are in dict
let completing: Promise<void> | null = null;

/**
 * Switches to language l. With all false, only the base dictionary is
 * loaded (the meeting room starts without the chair's and the secretary's
 * strings); loadAll() brings them later.
 */
export async function setLang(l: Lang, remember = true, all = true): Promise<void> {
  const [b, extra] = await Promise.all([loaders[l].base(), all ? loadMore(l) : null]);
  dict = { ...(extra ?? {}), ...b.default } as Dict;
  complete = all;
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
  listeners.forEach((fn) => fn());
}

function loadMore(l: Lang): Promise<Record<string, string>> {
  return Promise.all(loaders[l].more()).then((parts) => Object.assign({}, ...parts.map((p) => p.default)) as Record<string, string>);
}

/** Loads the chair's and the secretary's strings too, if not yet (tells the listeners when they are in). */
export function loadAll(): Promise<void> {
  if (complete) return Promise.resolve();
  if (!completing) {
    const l = lang;
    const p: Promise<void> = loadMore(l).then(
      (m) => {
        if (lang !== l || completing !== p) return;
        dict = { ...m, ...(dict as Record<string, string>) } as Dict;
        complete = true;
        listeners.forEach((fn) => fn());
      },
      () => {
        if (completing === p) completing = null; // try again on the next miss
      },
    );
    completing = p;
  }
  return completing;
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

/** Minutes and seconds, "m:ss", or "-m:ss" past zero. */
export function clock(totalSec: number): string {
  const neg = totalSec < 0;
  const s = Math.abs(Math.round(totalSec));
  return `${neg ? '-' : ''}${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function dateTime(iso: string | null): string {
  if (!iso) return '';
  return new Date(iso).toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}
