import { describe, expect, it } from 'vitest';
import baseVi from '../src/i18n/vi';
import baseEn from '../src/i18n/en';
import chairVi from '../src/i18n/chair.vi';
import chairEn from '../src/i18n/chair.en';
import deskVi from '../src/i18n/desk.vi';
import deskEn from '../src/i18n/desk.en';
import { format, pickLang } from '../src/i18n';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

// What the app has once everything is loaded (index.ts merges the parts).
const vi: Record<string, string> = { ...deskVi, ...chairVi, ...baseVi };
const en: Record<string, string> = { ...deskEn, ...chairEn, ...baseEn };

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('dictionaries', () => {
  it('have the same keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(vi).sort());
    expect(Object.keys(baseEn).sort()).toEqual(Object.keys(baseVi).sort());
  });

  it('keep the parts apart: no key in two of them', () => {
    const parts = [baseVi, deskVi, chairVi].map((d) => Object.keys(d));
    const all = parts.flat();
    expect(new Set(all).size).toBe(all.length);
  });

  it('have the same placeholders in every string, and no empty string', () => {
    for (const k of Object.keys(vi)) {
      expect(placeholders(en[k]), k).toEqual(placeholders(vi[k]));
      expect(vi[k].trim(), k).not.toBe('');
      expect(en[k].trim(), k).not.toBe('');
    }
  });

  it('cover every key the source code asks for', () => {
    const src = join(__dirname, '../src');
    const files: string[] = [];
    const walk = (d: string) => readdirSync(d).forEach((f) => {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.tsx?$/.test(f) && !p.includes('i18n')) files.push(p);
    });
    walk(src);
    const used = new Set<string>();
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/\bt\('([\w.]+)'/g)) used.add(m[1]);
      // keys held in tables: { label: 'annot.pen' }, { agree: 'poll.agree' }
      for (const m of text.matchAll(/\b(?:label|agree|disagree|abstain): '([\w.]+)'/g)) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(50);
    for (const k of used) expect(vi, k).toHaveProperty([k]);
  });

  it("give the meeting room's screens all their strings in the base dictionary (the rest loads later)", () => {
    const used = new Set<string>();
    for (const dir of ['ui', 'viewer', 'annot', 'live']) {
      const d = join(__dirname, '../src', dir);
      for (const f of readdirSync(d).filter((x) => /\.tsx?$/.test(x))) {
        const text = readFileSync(join(d, f), 'utf8');
        for (const m of text.matchAll(/\bt\('([\w.]+)'/g)) used.add(m[1]);
        for (const m of text.matchAll(/\b(?:label|agree|disagree|abstain): '([\w.]+)'/g)) used.add(m[1]);
      }
    }
    expect(used.size).toBeGreaterThan(50);
    for (const k of used) expect(baseVi, k).toHaveProperty([k]);
  });

  it('name every status, role and outcome the API sends', () => {
    for (const s of ['draft', 'scheduled', 'live', 'adjourned', 'closed']) expect(vi).toHaveProperty([`status.${s}`]);
    for (const r of ['chair', 'secretary', 'delegate', 'observer']) expect(vi).toHaveProperty([`role.${r}`]);
    for (const o of ['adopted', 'rejected', 'tie', 'elected', 'none']) expect(vi).toHaveProperty([`outcome.${o}`]);
  });
});

describe('pickLang', () => {
  it('takes the first of the browser languages we speak', () => {
    expect(pickLang(['en-US', 'vi'])).toBe('en');
    expect(pickLang(['vi-VN', 'en'])).toBe('vi');
    expect(pickLang(['fr-FR', 'en-GB'])).toBe('en');
  });
  it('falls back to Vietnamese', () => {
    expect(pickLang(['fr', 'de'])).toBe('vi');
    expect(pickLang([])).toBe('vi');
  });
  it('prefers a remembered choice', () => {
    expect(pickLang(['vi'], 'en')).toBe('en');
    expect(pickLang(['en'], 'xx')).toBe('en');
  });
});

describe('format', () => {
  it('fills placeholders and leaves unknown ones', () => {
    expect(format('Trang {page} / {pages}', { page: 3, pages: 10 })).toBe('Trang 3 / 10');
    expect(format('{a} {b}', { a: 1 })).toBe('1 {b}');
  });
});
