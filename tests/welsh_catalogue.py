"""The Welsh catalogue as the tests read it (issue 31): msgid -> msgstr, from
the compiled locale/cy/LC_MESSAGES/django.mo that pages use, and a check
that a text shows none of the catalogue's English."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MO = ROOT / "locale" / "cy" / "LC_MESSAGES" / "django.mo"
PO = MO.with_suffix(".po")
# Proper names a Welsh page keeps in English (the NHS method's name), removed before looking for English
KEPT = ("Making Data Count",)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")


def catalogue(path: Path = MO) -> dict[str, str]:
    """Every entry with a translation: msgid -> msgstr (plural entries: their first forms)."""
    with path.open("rb") as handle:
        translations = gettext.GNUTranslations(handle)
    out = {}
    for key, value in translations._catalog.items():
        if key == "":
            continue
        if isinstance(key, tuple):                  # (msgid, n) of a plural entry
            if key[1] == 0:
                out[key[0].split("\x00")[0]] = value
            continue
        out[key.split("\x04")[-1]] = value         # msgctxt\x04msgid
    return out


def english_fragments(entries: dict[str, str]) -> dict[str, str]:
    """For each entry whose Welsh differs from its English: the pieces of English
    a Welsh page must not show (the msgid's text between its placeholders, each
    long enough to be words rather than a syllable), mapped to their msgid."""
    out = {}
    for msgid, msgstr in entries.items():
        if msgstr == msgid or "<" in msgid:
            continue
        for piece in PLACEHOLDER.split(msgid):
            piece = piece.strip(" ,.:;()·")
            if piece and re.search(r"(?<![\w'-])" + re.escape(piece) + r"(?![\w'-])", msgstr):
                continue            # a word both languages use, as its own Welsh does ("data")
            if len(piece) >= 4 or (piece and not PLACEHOLDER.search(msgid) and len(piece) >= 2):
                out.setdefault(piece, msgid)
    return out


def english_shown(text: str, entries: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """The catalogue's English that ``text`` shows, as whole words: (fragment, msgid)."""
    for name in KEPT:
        text = text.replace(name, "")
    found = []
    for piece, msgid in english_fragments(entries or catalogue()).items():
        if re.search(r"(?<![\w'-])" + re.escape(piece) + r"(?![\w'-])", text):
            found.append((piece, msgid))
    return found


def untranslated(path: Path = PO) -> list[str]:
    """The msgids of the .po with no Welsh at all (an empty msgstr, or empty plural forms)."""
    out = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n")[1:]:
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        text = "\n".join(lines)
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', text, re.M)
        strings = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', text, re.M)
        if msgid and all("".join(re.findall(r'"(.*)"', s)) == "" for s in strings):
            out.append("".join(re.findall(r'"(.*)"', msgid.group(1))))
    return out
