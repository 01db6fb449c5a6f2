#!/usr/bin/env python3
"""Generates the data tables behind the `pinyin`, `traditional` and `simplified` prompt transforms.

Run once by a developer, never at build or run time; the output is checked in at
Sources/UnsaidSuite/Transforms/Tables/ and read by pure Swift code.

    python3 -m venv /tmp/gen && /tmp/gen/bin/pip install pypinyin==0.55.0 opencc==1.4.2
    /tmp/gen/bin/python scripts/generate_transform_tables.py

Sources and licences:
- pinyin readings: pypinyin 0.55.0 (MIT licence, https://github.com/mozillazg/python-pinyin),
  single-character readings (its most common reading) plus the multi-character phrases of its
  phrase dictionary that occur in the bundled probes and read differently from their characters.
- script conversion: OpenCC 1.4.2 dictionaries (Apache License 2.0, https://github.com/BYVoid/OpenCC),
  STCharacters/TSCharacters (first candidate) and the STPhrases/TSPhrases entries that correct a
  character-by-character conversion, as exported by its `opencc_dict` tool.

Character coverage: GB2312 (all 6763 hanzi), every character in Probes/, and the traditional
forms of both.
"""
import glob
import os
import subprocess
import sys
import unicodedata

import opencc
import pypinyin
from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PHRASES_DICT

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Sources", "UnsaidSuite", "Transforms", "Tables")


# Phrase readings of pypinyin that are wrong in the sentences where the probes use them
# ("本质的" is "ben zhi de", not "ben zhi di").
PINYIN_PHRASES_LEFT_OUT = {"质的"}


def is_han(ch):
    cp = ord(ch)
    return 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2FA1F or 0xF900 <= cp <= 0xFAFF


def gb2312_hanzi():
    chars = []
    for row in range(0xB0, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                ch = bytes([row, cell]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            if is_han(ch):
                chars.append(ch)
    return chars


def probe_texts():
    texts = []
    for path in sorted(glob.glob(os.path.join(ROOT, "Probes", "**", "*.yaml"), recursive=True)):
        with open(path, encoding="utf-8") as handle:
            texts.append(handle.read())
    return texts


def opencc_text_dict(name):
    base = os.path.join(os.path.dirname(opencc.__file__), "clib")
    out = os.path.join("/tmp", name + ".txt")
    env = dict(os.environ, LD_LIBRARY_PATH=os.path.join(base, "lib64"))
    subprocess.run([os.path.join(base, "bin", "opencc_dict"), "-i", os.path.join(base, "share", "opencc", name + ".ocd2"),
                    "-o", out, "-f", "ocd2", "-t", "text"], check=True, env=env)
    entries = {}
    with open(out, encoding="utf-8") as handle:
        for line in handle:
            key, _, values = line.rstrip("\n").partition("\t")
            if key and values:
                entries[key] = values.split(" ")[0]
    return entries


# Latin letters and the Cyrillic or Greek letters drawn the same way in common fonts (a subset of
# Unicode's confusables, UTS #39, chosen by hand for exact visual identity).
LATIN_LOOKALIKES = {
    "a": "\u0430", "c": "\u0441", "e": "\u0435", "i": "\u0456", "j": "\u0458", "o": "\u043e",
    "p": "\u0440", "s": "\u0455", "x": "\u0445", "y": "\u0443",
    "A": "\u0410", "B": "\u0412", "C": "\u0421", "E": "\u0415", "H": "\u041d", "I": "\u0406",
    "J": "\u0408", "K": "\u041a", "M": "\u041c", "N": "\u039d", "O": "\u041e", "P": "\u0420",
    "S": "\u0405", "T": "\u0422", "X": "\u0425", "Y": "\u04ae", "Z": "\u0396",
}


def han_lookalikes(chars):
    """Kangxi radicals (U+2F00-2FD5) first, else CJK compatibility ideographs: code points that
    render as the unified ideograph but are different scalars. NFKC folds both back, NFC only
    the first kind, which is why the radicals are preferred."""
    radicals, compatibility = {}, {}
    for cp in range(0x2F00, 0x2FD6):
        folded = unicodedata.normalize("NFKC", chr(cp))
        if folded != chr(cp):
            radicals.setdefault(folded, chr(cp))
    for cp in list(range(0xF900, 0xFB00)) + list(range(0x2F800, 0x2FA20)):
        folded = unicodedata.normalize("NFC", chr(cp))
        if folded != chr(cp):
            compatibility.setdefault(folded, chr(cp))
    table = {}
    for ch in sorted(chars):
        lookalike = radicals.get(ch) or compatibility.get(ch)
        if lookalike:
            table[ch] = lookalike
    return table


def reading(ch):
    return lazy_pinyin(ch, style=Style.NORMAL, v_to_u=True)[0]


def main():
    texts = probe_texts()
    joined = "\n".join(texts)
    probe_chars = {ch for ch in joined if is_han(ch)}
    simplified = set(gb2312_hanzi()) | probe_chars

    st_chars = opencc_text_dict("STCharacters")
    ts_chars = opencc_text_dict("TSCharacters")
    st_phrases = opencc_text_dict("STPhrases")
    ts_phrases = opencc_text_dict("TSPhrases")

    traditional = {st_chars.get(ch, ch) for ch in simplified} | probe_chars
    everything = simplified | traditional

    os.makedirs(OUT, exist_ok=True)
    header = ("# Generated by scripts/generate_transform_tables.py; do not edit.\n"
              "# Source: {source}\n")

    # pinyin: one line per reading, the characters that have it, so the file stays small.
    by_reading = {}
    for ch in sorted(everything):
        syllable = reading(ch)
        if syllable == ch:  # pypinyin does not know it
            continue
        by_reading.setdefault(syllable, []).append(ch)
    phrases = {}
    for phrase, readings in PHRASES_DICT.items():
        if len(phrase) < 2 or phrase not in joined or phrase in PINYIN_PHRASES_LEFT_OUT:
            continue
        syllables = [pypinyin.style.convert(r[0], Style.NORMAL, strict=True).replace("v", "ü") for r in readings]
        if syllables != [reading(ch) for ch in phrase]:
            phrases[phrase] = syllables
    with open(os.path.join(OUT, "pinyin.txt"), "w", encoding="utf-8") as handle:
        handle.write(header.format(source="pypinyin %s (MIT licence)" % pypinyin.__version__))
        handle.write("# <reading> <characters>  |  = <phrase> <reading> <reading>...\n")
        for syllable in sorted(by_reading):
            handle.write("%s %s\n" % (syllable, "".join(by_reading[syllable])))
        for phrase in sorted(phrases):
            handle.write("= %s %s\n" % (phrase, " ".join(phrases[phrase])))

    def conversion_table(name, chars, char_map, phrase_map, source_set):
        rows = []
        for ch in sorted(chars):
            target = char_map.get(ch)
            if target and target != ch:
                rows.append("%s %s" % (ch, target))
        kept = 0
        for phrase in sorted(phrase_map):
            target = phrase_map[phrase]
            by_char = "".join(char_map.get(ch, ch) for ch in phrase)
            if len(phrase) < 2 or by_char == target or len(target) != len(phrase):
                continue
            # Phrases that fix a character-by-character conversion: those in the probes, and the
            # two-character words made only of covered characters.
            if phrase in joined or (len(phrase) == 2 and all(ch in source_set for ch in phrase)):
                rows.append("= %s %s" % (phrase, target))
                kept += 1
        with open(os.path.join(OUT, name), "w", encoding="utf-8") as handle:
            handle.write(header.format(source="OpenCC %s dictionaries (Apache License 2.0)" % "1.4.2"))
            handle.write("# <from> <to>  |  = <phrase> <converted phrase>\n")
            handle.write("\n".join(rows) + "\n")
        return len(rows), kept

    with open(os.path.join(OUT, "homoglyphs.txt"), "w", encoding="utf-8") as handle:
        handle.write(header.format(source="Unicode Character Database %s via Python's unicodedata "
                                   "(Unicode licence); Latin lookalikes chosen by hand" % unicodedata.unidata_version))
        handle.write("# <character> <lookalike> (as U+XXXX so the file is readable)\n")
        for ch, lookalike in list(LATIN_LOOKALIKES.items()) + list(han_lookalikes(everything).items()):
            handle.write("%s U+%04X\n" % (ch, ord(lookalike)))

    print("pinyin readings", len(by_reading), "chars", sum(len(v) for v in by_reading.values()), "phrases", len(phrases))
    print("traditional", conversion_table("traditional.txt", simplified, st_chars, st_phrases, simplified))
    print("simplified", conversion_table("simplified.txt", traditional, ts_chars, ts_phrases, traditional))


if __name__ == "__main__":
    sys.exit(main())
