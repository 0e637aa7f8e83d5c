import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const pdfjs = resolve(here, 'node_modules/pdfjs-dist');

// pdfjsAssets copies what the pdf.js worker fetches at run time (CMaps for
// CJK text, the standard 14 fonts, and the JS fallbacks of its image
// decoders: our CSP has no 'wasm-unsafe-eval') to dist/pdfjs/, and puts back
// the .gitkeep that emptyOutDir removes.
function pdfjsAssets(): Plugin {
  return {
    name: 'curia-pdfjs-assets',
    apply: 'build',
    closeBundle() {
      const out = resolve(here, 'dist/pdfjs');
      cpSync(`${pdfjs}/cmaps`, `${out}/cmaps`, { recursive: true });
      cpSync(`${pdfjs}/standard_fonts`, `${out}/standard_fonts`, { recursive: true });
      mkdirSync(`${out}/wasm`, { recursive: true });
      for (const f of readdirSync(`${pdfjs}/wasm`)) {
        if (f.endsWith('_nowasm_fallback.js')) cpSync(`${pdfjs}/wasm/${f}`, `${out}/wasm/${f}`);
      }
      writeFileSync(resolve(here, 'dist/.gitkeep'), '');
    },
  };
}

// pdfjsGlobals drops pdf.mjs's `globalThis.pdfjsLib = {every export}` (and
// its testing twin): nothing of ours reads them, and they keep every export
// of pdf.js alive, so tree-shaking could drop nothing (~15 KB gzipped).
function pdfjsGlobals(): Plugin {
  return {
    name: 'curia-pdfjs-globals',
    transform(code, id) {
      if (!id.replace(/\\/g, '/').endsWith('pdfjs-dist/build/pdf.mjs')) return;
      const out = code
        .replace('globalThis._pdfjsTestingUtils = {', 'const _pdfjsTestingUtils = {')
        .replace('globalThis.pdfjsLib = {', 'const _pdfjsLib = {');
      if (out === code) this.error('pdf.mjs changed: update curia-pdfjs-globals in vite.config.ts');
      return { code: out, map: null };
    },
  };
}

export default defineConfig({
  plugins: [pdfjsGlobals(), pdfjsAssets()],
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 600,
    modulePreload: { polyfill: false },
  },
  server: { proxy: { '/api': { target: 'http://127.0.0.1:8080', ws: true } } },
});
