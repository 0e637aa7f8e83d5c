// Two languages, one dictionary each, loaded on demand so only the one in
// use is downloaded. The browser's languages choose; the user may switch,
// and the choice is remembered on the tablet.
import type vi from './vi';

export type Key = keyof typeof vi;
export type Dict = Record<Key, string>;
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
  return format(dict?.[key] ?? key, params);
}

export const currentLang = () => lang;

const loaders: Record<Lang, () => Promise<{ default: Dict }>> = {
  vi: () => import('./vi'),
  en: () => import('./en'),
};

export async function setLang(l: Lang, remember = true): Promise<void> {
  dict = (await loaders[l]()).default;
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

export function initLang(): Promise<void> {
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(STORE_KEY);
  } catch {
    /* no storage */
  }
  return setLang(pickLang(navigator.languages ?? [navigator.language], saved), false);
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
