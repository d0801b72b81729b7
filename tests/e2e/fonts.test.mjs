// The Korean interface must not depend on the learner having a Korean font: the page ships a
// subset of NanumGothic (web/fonts/hangul-subset.woff2, made by web/fonts-subset.py) holding
// every Hangul character the interface uses. This test reads the font's character map (WOFF2:
// a brotli stream of the font's tables) and fails when a string in the sources uses a syllable
// the subset lacks; then it checks that the page really draws Korean with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { launch, openPage, backendLabel } from './browser.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const FONT = join(ROOT, 'web/fonts/hangul-subset.woff2');
const isHangul = (c) => /[\u1100-\u11FF\u3130-\u318F\uAC00-\uD7A3]/.test(c);

function sources(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (p.endsWith('.rs')) out.push(p);
  }
  return out;
}

/** Every Hangul character in the crates' sources and index.html. */
function usedHangul() {
  const files = readdirSync(join(ROOT, 'crates')).flatMap((c) => sources(join(ROOT, 'crates', c, 'src')));
  files.push(join(ROOT, 'index.html'));
  const used = new Set();
  for (const f of files) for (const c of readFileSync(f, 'utf8')) if (isHangul(c)) used.add(c);
  return used;
}

/** The code points a WOFF2 font maps to a glyph (from its cmap's format 4 or 12 subtable). */
function woff2Cmap(buf) {
  assert.equal(buf.toString('latin1', 0, 4), 'wOF2', 'a WOFF2 file');
  const numTables = buf.readUInt16BE(12);
  let at = 48;
  const base128 = () => {
    let v = 0;
    for (let i = 0; i < 5; i++) {
      const b = buf[at++];
      v = v * 128 + (b & 0x7f);
      if (!(b & 0x80)) return v;
    }
    throw new Error('bad UIntBase128');
  };
  // Tables follow each other in the decompressed stream, in directory order.
  let offset = 0;
  let cmap = null;
  for (let i = 0; i < numTables; i++) {
    const flags = buf[at++];
    const known = flags & 0x3f;
    let tag = known;
    if (known === 63) { tag = buf.toString('latin1', at, at + 4); at += 4; }
    const version = flags >> 6;
    const length = base128();
    // glyf (10) and loca (11) are transformed unless version 3; other tables only with version ≠ 0.
    const transformed = known === 10 || known === 11 ? version !== 3 : version !== 0;
    const stored = transformed ? base128() : length;
    if (tag === 0) cmap = { offset, length };
    offset += stored;
  }
  assert.ok(cmap, 'the font has a cmap');
  const data = brotliDecompressSync(buf.subarray(at));
  const t = data.subarray(cmap.offset, cmap.offset + cmap.length);
  const mapped = new Set();
  const subtables = t.readUInt16BE(2);
  for (let i = 0; i < subtables; i++) {
    const o = t.readUInt32BE(4 + 8 * i + 4);
    const format = t.readUInt16BE(o);
    if (format === 4) {
      const segs = t.readUInt16BE(o + 6) / 2;
      const end = o + 14, start = end + 2 * segs + 2, delta = start + 2 * segs, range = delta + 2 * segs;
      for (let s = 0; s < segs; s++) {
        const e = t.readUInt16BE(end + 2 * s), st = t.readUInt16BE(start + 2 * s);
        const d = t.readInt16BE(delta + 2 * s), r = t.readUInt16BE(range + 2 * s);
        for (let c = st; c <= e && c !== 0xffff; c++) {
          const g = r === 0 ? (c + d) & 0xffff : t.readUInt16BE(range + 2 * s + r + 2 * (c - st));
          if (g !== 0) mapped.add(c);
        }
      }
    } else if (format === 12) {
      const groups = t.readUInt32BE(o + 12);
      for (let g = 0; g < groups; g++) {
        const first = t.readUInt32BE(o + 16 + 12 * g), last = t.readUInt32BE(o + 20 + 12 * g);
        for (let c = first; c <= last; c++) mapped.add(c);
      }
    }
  }
  return mapped;
}

test('the shipped Hangul subset holds every Hangul character the interface uses, and stays small', () => {
  const font = readFileSync(FONT);
  const mapped = woff2Cmap(font);
  const used = usedHangul();
  assert.ok(used.size > 300, `${used.size} Hangul characters found in the sources`);
  const missing = [...used].filter((c) => !mapped.has(c.codePointAt(0)));
  assert.deepEqual(missing, [], 'characters missing from web/fonts/hangul-subset.woff2: run python3 web/fonts-subset.py');
  // Nothing but Hangul (and the .notdef outline): the system font draws everything else.
  const extra = [...mapped].filter((c) => !isHangul(String.fromCodePoint(c)) && c > 0x20);
  assert.deepEqual(extra, []);
  assert.ok(font.length < 60_000, `${font.length} bytes`);
  console.log(`hangul subset: ${used.size} characters used, ${mapped.size} in the font, ${font.length} bytes`);
});

test('the Korean interface is drawn with the shipped font where no Korean font is installed', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await openPage(browser);
    await backendLabel(page);
    await page.getByTestId('lang').click();
    await page.evaluate(() => document.fonts.ready);
    const loaded = await page.evaluate(() => [...document.fonts].filter((f) => f.family.includes('DL101 Hangul')).map((f) => f.status));
    assert.deepEqual(loaded, ['loaded']);
    assert.ok(await page.evaluate(() => document.fonts.check('15px "DL101 Hangul"', '레슨')));
    assert.match(await page.locator('#lessons-h').textContent(), /레슨/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
