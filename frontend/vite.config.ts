import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, deflateSync } from 'node:zlib';
import { defineConfig, type Plugin, type Rollup } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const pdfjs = resolve(here, 'node_modules/pdfjs-dist');

// pdfjsAssets copies what the pdf.js worker fetches at run time (CMaps for
// CJK text, the standard 14 fonts, and the JS fallbacks of its image
// decoders: our CSP has no 'wasm-unsafe-eval') to dist/pdfjs/, and puts back
// the .gitkeep that emptyOutDir removes.
function pdfjsAssets(): Plugin {
  let outDir = resolve(here, 'dist');
  return {
    name: 'curia-pdfjs-assets',
    apply: 'build',
    configResolved(c) {
      outDir = resolve(c.root, c.build.outDir);
    },
    closeBundle() {
      const out = resolve(outDir, 'pdfjs');
      cpSync(`${pdfjs}/cmaps`, `${out}/cmaps`, { recursive: true });
      cpSync(`${pdfjs}/standard_fonts`, `${out}/standard_fonts`, { recursive: true });
      mkdirSync(`${out}/wasm`, { recursive: true });
      for (const f of readdirSync(`${pdfjs}/wasm`)) {
        if (f.endsWith('_nowasm_fallback.js')) cpSync(`${pdfjs}/wasm/${f}`, `${out}/wasm/${f}`);
      }
      writeFileSync(resolve(out, 'warm.pdf'), warmPdf());
      writeFileSync(resolve(outDir, '.gitkeep'), '');
    },
  };
}

// warmPdf makes dist/pdfjs/warm.pdf: one small page with what most documents have (a compressed
// content stream, text in a standard font, an image). viewer/warm.ts opens and renders it while the
// login screen or the list of meetings is shown, so that pdf.js's code (in the worker and here) has run
// once, and the font's data is cached, before the first real document.
function warmPdf(): Buffer {
  const content = deflateSync(Buffer.from('q 1 0 0 1 0 0 cm BT /F1 18 Tf 20 160 Td (Curia 1 / 2) Tj ET Q q 40 0 0 40 20 20 cm /Im1 Do Q 0.8 0.1 0.2 RG 2 w 20 80 m 180 120 l S\n', 'latin1'));
  const pixels = Buffer.alloc(8 * 8 * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37) % 256;
  const image = deflateSync(pixels);
  const objs: (string | Buffer)[][] = [
    ['<< /Type /Catalog /Pages 2 0 R >>'],
    ['<< /Type /Pages /Kids [3 0 R] /Count 1 >>'],
    ['<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources << /Font << /F1 4 0 R >> /XObject << /Im1 6 0 R >> >> /Contents 5 0 R >>'],
    ['<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>'],
    [`<< /Length ${content.length} /Filter /FlateDecode >>\nstream\n`, content, '\nendstream'],
    [`<< /Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length ${image.length} /Filter /FlateDecode >>\nstream\n`, image, '\nendstream'],
  ];
  const parts: Buffer[] = [Buffer.from('%PDF-1.5\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let size = parts[0].length;
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(size);
    for (const x of [`${i + 1} 0 obj\n`, ...o, '\nendobj\n']) {
      const b = typeof x === 'string' ? Buffer.from(x, 'latin1') : x;
      parts.push(b);
      size += b.length;
    }
  });
  const xref = `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${size}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(parts);
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

// roomPage writes dist/room.html: index.html with <link rel="modulepreload">
// for the meeting room's scripts (the room, the viewer with pdf.js, and what
// they import). The server answers it for /meetings/{id} (embed.go), so a
// tablet opening or reloading the room fetches them while the HTML is still
// parsed, not one import after the other.
function roomPage(): Plugin {
  const entries = ['/src/ui/Room.tsx', '/src/viewer/Viewer.tsx'];
  return {
    name: 'curia-room-page',
    apply: 'build',
    writeBundle(options, bundle) {
      const outDir = options.dir ?? resolve(here, 'dist');
      const chunks = Object.values(bundle).filter((c): c is Rollup.OutputChunk => c.type === 'chunk');
      const byFile = new Map(chunks.map((c) => [c.fileName, c]));
      const files: string[] = [];
      const add = (c: Rollup.OutputChunk | undefined) => {
        if (!c || files.includes(c.fileName)) return;
        files.push(c.fileName);
        c.imports.forEach((f) => add(byFile.get(f)));
      };
      for (const e of entries) {
        const c = chunks.find((x) => x.facadeModuleId?.replace(/\\/g, '/').endsWith(e));
        if (!c) this.error(`curia-room-page: no chunk for ${e}`);
        add(c);
      }
      // A tiny classic script that starts the pdf.js worker as soon as the HTML is read, before the
      // app's modules have loaded; viewer/worker.ts takes that worker over.
      const worker = Object.values(bundle).find((a) => a.type === 'asset' && /pdf\.worker[^/]*\.mjs$/.test(a.fileName));
      if (!worker) this.error('curia-room-page: no pdf.js worker in the bundle');
      const boot =
        '// Starts the pdf.js worker at once (room.html); viewer/worker.ts takes it over.\n' +
        `(function(){try{performance.mark("curia:worker-start");var w=new Worker(${JSON.stringify(`/${worker.fileName}`)},{type:"module"});` +
        'var done=function(){w.removeEventListener("message",ok);w.removeEventListener("error",bad)};' +
        'var ok=function(){self.__curiaPdfWorkerReady=performance.now();done()};' +
        'var bad=function(){self.__curiaPdfWorkerFailed=true;done();w.terminate()};' +
        'w.addEventListener("message",ok);w.addEventListener("error",bad);self.__curiaPdfWorker=w}catch(e){}})();\n';
      const bootFile = `assets/boot-${createHash('sha256').update(boot).digest('hex').slice(0, 10)}.js`;
      writeFileSync(resolve(outDir, bootFile), boot);
      const index = readFileSync(resolve(outDir, 'index.html'), 'utf8');
      const links = files
        .filter((f) => !index.includes(`/${f}"`))
        .map((f) => `    <link rel="modulepreload" crossorigin href="/${f}">\n`)
        .join('');
      if (!index.includes('</head>')) this.error('curia-room-page: index.html has no </head>');
      const at = index.includes('  </head>') ? '  </head>' : '</head>';
      // The boot script first, before the app's module script: it is tiny, cached for good, and the worker
      // then starts while the browser still parses and compiles the app's modules.
      const first = index.indexOf('<script type="module"');
      if (first < 0) this.error('curia-room-page: index.html has no module script');
      const withBoot = `${index.slice(0, first)}<script src="/${bootFile}"></script>\n    ${index.slice(first)}`;
      writeFileSync(resolve(outDir, 'room.html'), withBoot.replace(at, `${links}${at}`));
    },
  };
}

// precompress writes a brotli copy (NAME.br) of every file of the build worth one, at brotli's highest
// level: pdf.js's 395 KB come to about 100 KB instead of 119 KB gzipped. The server (embed.go) sends it
// to the browsers that take brotli, and makes its own gzip copy for the others; brotli at this level is
// too slow to make on a request. It runs last, after every other plugin has written its files.
function precompress(): Plugin {
  // The types embed.go compresses (compressible): text, and fonts and CMaps that are not compressed.
  const types = new Set(['.js', '.mjs', '.css', '.html', '.svg', '.json', '.txt', '.xml', '.bcmap', '.pfb', '.ttf', '.otf']);
  let outDir = resolve(here, 'dist');
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(resolve(dir, d.name)) : [resolve(dir, d.name)]));
  return {
    name: 'curia-precompress',
    apply: 'build',
    configResolved(c) {
      outDir = resolve(c.root, c.build.outDir);
    },
    closeBundle: {
      order: 'post',
      handler() {
        for (const file of walk(outDir)) {
          if (!types.has(extname(file)) || statSync(file).size < 1024) continue; // embed.go's compressMin
          const raw = readFileSync(file);
          const br = brotliCompressSync(raw, {
            params: {
              [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY,
              [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length,
              [zlib.BROTLI_PARAM_MODE]: ['.bcmap', '.pfb', '.ttf', '.otf'].includes(extname(file)) ? zlib.BROTLI_MODE_GENERIC : zlib.BROTLI_MODE_TEXT,
            },
          });
          if (br.length < raw.length * 0.9) writeFileSync(`${file}.br`, br);
        }
      },
    },
  };
}

export default defineConfig({
  plugins: [pdfjsGlobals(), pdfjsAssets(), roomPage(), precompress()],
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
