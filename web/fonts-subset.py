#!/usr/bin/env python3
"""Writes web/fonts/hangul-subset.woff2: NanumGothic (SIL OFL 1.1, from Debian's fonts-nanum)
cut down to the Hangul the interface uses, so the Korean interface reads on a machine without a
Korean font (Debian's Chromium otherwise draws boxes) for about 30 KB.

Run it after adding Korean text (tests/e2e/fonts.test.mjs fails until you do):

    apt-get install fonts-nanum python3-fonttools python3-brotli
    python3 web/fonts-subset.py

It collects every Hangul syllable and jamo in crates/*/src (the i18n strings, the activation
table, the lessons) and index.html and keeps those glyphs only (the page's CSS gives the font a
Hangul unicode-range, so Latin text keeps the system font). NANUM_TTF names another copy of
NanumGothic.ttf. The OFL reserves the name "NanumGothic" for the unmodified font, so the subset
is renamed "DL101 Hangul"; the copyright and licence records stay (web/fonts/OFL.txt).
"""
import pathlib
import sys

from fontTools import subset

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCE = pathlib.Path(__import__("os").environ.get("NANUM_TTF", "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"))
OUT = ROOT / "web/fonts/hangul-subset.woff2"


def is_hangul(c: str) -> bool:
    o = ord(c)
    return 0xAC00 <= o <= 0xD7A3 or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F


def used_hangul() -> set:
    chars = set()
    files = list((ROOT / "crates").glob("*/src/**/*.rs")) + [ROOT / "index.html"]
    for f in files:
        chars.update(c for c in f.read_text(encoding="utf-8") if is_hangul(c))
    return chars


def rename(font, family: str) -> None:
    """Family, full, PostScript and typographic family names (IDs 1, 3, 4, 6, 16, 17)."""
    names = {1: family, 3: f"{family} Regular subset", 4: family, 6: family.replace(" ", "-"), 16: family, 17: "Regular"}
    table = font["name"]
    for record in list(table.names):
        if record.nameID in names:
            table.removeNames(nameID=record.nameID)
    for name_id, text in names.items():
        table.setName(text, name_id, 3, 1, 0x409)


def main() -> int:
    if not SOURCE.exists():
        print(f"{SOURCE} is missing: apt-get install fonts-nanum", file=sys.stderr)
        return 1
    chars = used_hangul()
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    font = subset.load_font(str(SOURCE), options)
    s = subset.Subsetter(options)
    s.populate(unicodes=sorted(ord(c) for c in chars))
    s.subset(font)
    rename(font, "DL101 Hangul")
    subset.save_font(font, str(OUT), options)
    print(f"{OUT.relative_to(ROOT)}: {len(chars)} Hangul characters, {OUT.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
