"""Fuzz the return-file reader (indicators/returnfile.py): read_table and
check_rows over CSV and XLSX inputs, for SPEC §4's promise that no input,
however broken, produces anything but the reader's own error with
``row N, column C: …`` / ``row N: …`` / ``file: …`` messages.

    .venv/bin/python bench/fuzz_returnfile.py --seconds 600            # atheris (coverage-guided)
    .venv/bin/python bench/fuzz_returnfile.py --seconds 600 --mutate   # plain mutation loop, no atheris

Each input's first byte chooses what the rest is: a CSV file, an XLSX file,
or the text of one member (the sheet, the styles, the workbook, the shared
strings) put into a valid XLSX, so the fuzzer reaches the XML and the cells
rather than stopping at the zip's checksums. Seeds are the shared example as
CSV and XLSX. A finding (any other exception, a badly formed message, an
accepted row that breaks an invariant, an input taking over 5 s) is written
to --findings (default /tmp/pccperf-fuzz-findings) with its input, and the
run goes on. A summary (time, inputs, findings by kind) is printed at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import math
import os
import random
import re
import sys
import time
import traceback
import zipfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MODES = ["csv", "xlsx", "sheet", "styles", "workbook", "strings"]
MESSAGE = re.compile(r"(row [0-9]+(, column [^:]{1,60})?|file): .+", re.S)
SLOW = 5.0
TODAY = date(2014, 7, 15)
HEADER = "force,indicator,month,value,numerator,denominator,status,note"
EXAMPLE = f"""{HEADER}
west-mercia,vwi,2013-04,512,,,final,
west-mercia,vwi,2013-05,498,,,final,
west-mercia,vwi,2013-06,507,,,provisional,"Awaiting quality assurance, ""QA"" pending"
west-mercia,vwi-solved,2013-04,,281,512,final,
west-mercia,vwi-solved,2013-05,55.2,275,498,final,
west-mercia,vwi-solved,2013-06,,,,unavailable,Outcome data delayed by system migration
west-mercia,confidence,2013-05,69.1,,,final,
avon-and-somerset,vwi,2013-04,701,,,final,
"""

_state = {"inputs": 0, "accepted": 0, "refused": 0, "findings": {}, "slowest": 0.0}


def catalogue():
    from indicators.returns.file import Catalogue, IndicatorInfo

    return Catalogue(
        forces={"west-mercia": 1, "avon-and-somerset": 2, "essex": 3},
        indicators={
            ("west-mercia", "vwi"): IndicatorInfo(10, 1, "count", "sum", True),
            ("west-mercia", "vwi-solved"): IndicatorInfo(11, 1, "percent", "ratio", False),
            ("west-mercia", "confidence"): IndicatorInfo(12, 1, "percent", "latest", False),
            ("avon-and-somerset", "vwi"): IndicatorInfo(20, 2, "count", "sum", True),
            ("essex", "asb"): IndicatorInfo(30, 3, "count", "sum", False),
        },
        editable={1}, peer_editable={2})


def template_members() -> dict[str, bytes]:
    """A small valid XLSX (the example, a percentage cell, shared strings), member by member."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for line in EXAMPLE.strip().splitlines():
        cells = next(__import__("csv").reader([line]))
        sheet.append([float(c) if re.fullmatch(r"[0-9.]+", c) and c.count(".") <= 1 and c != "." else (c or None)
                      for c in cells])
    sheet["D8"].number_format = "0.0%"
    sheet["D8"] = 0.691
    buffer = io.BytesIO()
    book.save(buffer)
    archive = zipfile.ZipFile(buffer)
    members = {name: archive.read(name) for name in archive.namelist()}
    # a shared-strings part too, as Excel writes one
    members["xl/sharedStrings.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
        b' count="2" uniqueCount="2"><si><t>west-mercia</t></si><si><t>Late _x0000_ note</t></si></sst>')
    return members


MEMBER = {"sheet": "xl/worksheets/sheet1.xml", "styles": "xl/styles.xml", "workbook": "xl/workbook.xml",
          "strings": "xl/sharedStrings.xml"}


def build(members: dict[str, bytes], replace: str | None = None, content: bytes = b"") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
        for name, data in members.items():
            target.writestr(name, content if name == replace else data)
    return out.getvalue()


def seeds(members) -> list[bytes]:
    xlsx = build(members)
    out = [bytes([0]) + EXAMPLE.encode(), bytes([1]) + xlsx]
    for i, mode in enumerate(MODES[2:], 2):
        out.append(bytes([i]) + members[MEMBER[mode]])
    return out


def decode(data: bytes, members) -> tuple[bytes, str]:
    """The file an input stands for, and its name."""
    if not data:
        return b"", "r.csv"
    mode = MODES[data[0] % len(MODES)]
    rest = data[1:]
    if mode == "csv":
        return rest, "r.csv"
    if mode == "xlsx":
        return rest, "r.xlsx"
    # one branch per member, so that (instrumented) each seed has coverage of its own and is kept
    if mode == "sheet":
        return build(members, MEMBER["sheet"], rest), "r.xlsx"
    if mode == "styles":
        return build(members, MEMBER["styles"], rest), "r.xlsx"
    if mode == "workbook":
        return build(members, MEMBER["workbook"], rest), "r.xlsx"
    return build(members, MEMBER["strings"], rest), "r.xlsx"


def finding(kind: str, detail: str, data: bytes, folder: Path) -> None:
    entry = _state["findings"].setdefault(kind, {"count": 0, "detail": detail})
    entry["count"] += 1
    if entry["count"] <= 3:
        folder.mkdir(parents=True, exist_ok=True)
        name = hashlib.sha1(data).hexdigest()[:12]
        (folder / f"{kind[:60]}-{name}.bin".replace("/", "_").replace(" ", "_")).write_bytes(data)
        (folder / f"{kind[:60]}-{name}.txt".replace("/", "_").replace(" ", "_")).write_text(detail)


def check_one(data: bytes, members, cat, folder: Path) -> None:
    from indicators.returns.file import MAX_MAGNITUDE, ReturnFileError, check_rows, read_table

    _state["inputs"] += 1
    content, name = decode(data, members)
    started = time.perf_counter()
    try:
        header, body = read_table(content, name)
        rows = check_rows(header, body, cat, today=TODAY)
    except ReturnFileError as exc:
        _state["refused"] += 1
        problems = [str(p) for p in exc.problems]
        if not 1 <= len(problems) <= 101:
            finding("problem-count", f"{len(problems)} problems", data, folder)
        for problem in problems:
            if not MESSAGE.fullmatch(problem):
                finding("badly-formed-message", problem[:2000], data, folder)
            try:
                problem.encode("utf-8")
            except UnicodeEncodeError:
                finding("unencodable-message", repr(problem[:500]), data, folder)
            if len(problem) > 1200:
                finding("long-message", problem[:2000], data, folder)
    except Exception as exc:  # noqa: BLE001 - every other exception is a finding
        tb = traceback.extract_tb(exc.__traceback__)
        where = next((f"{Path(f.filename).name}:{f.lineno}" for f in reversed(tb)
                      if "indicators" in f.filename), f"{Path(tb[-1].filename).name}:{tb[-1].lineno}")
        finding(f"{type(exc).__name__}@{where}", "".join(traceback.format_exception(exc))[-4000:], data, folder)
    else:
        _state["accepted"] += 1
        for row in rows:
            note_ok = "\x00" not in row.note and not any(0xD800 <= ord(c) <= 0xDFFF for c in row.note)
            numbers = [x for x in (row.value, row.numerator, row.denominator) if x is not None]
            if not note_ok:
                finding("unstorable-note", repr(row.note[:200]), data, folder)
            if any(not math.isfinite(x) or abs(x) > MAX_MAGNITUDE or math.copysign(1, x) < 0 and x == 0
                   for x in numbers):
                finding("bad-number", repr(row), data, folder)
            if row.status != "unavailable" and row.value is None:
                finding("no-value", repr(row), data, folder)
            if row.indicator in ("vwi", "asb") and row.value is not None and not float(row.value).is_integer():
                finding("fractional-count", repr(row), data, folder)
            if row.indicator != "vwi-solved" and (row.numerator is not None or row.denominator is not None):
                finding("parts-on-non-ratio", repr(row), data, folder)
    elapsed = time.perf_counter() - started
    _state["slowest"] = max(_state["slowest"], elapsed)
    if elapsed > SLOW:
        finding("slow-input", f"{elapsed:.1f} s for {len(content):,} bytes", data, folder)


def mutate(seed: bytes, rng: random.Random, pool: list[bytes]) -> bytes:
    """A plain mutator: flips, inserts (bytes, quotes, commas, newlines, odd
    unicode, long runs), deletions, truncation, splices of another input."""
    data = bytearray(seed)
    specials = [b'"', b",", b"\n", b"\r", b"\x00", b"\xef\xbb\xbf", "١٢٣".encode(), "２０１３".encode(),
                b"-0", b"1e308", b"NaN", b"=", b"<", b">", b"&#0;", b"\xff\xfe", b"\xed\xa0\x80",
                b'"' * 3, b"x" * 140_000, b",", b"A1:XFD1048576", b'r="XFD9"', b"<f>A1</f>", b"<v/>", b"%"]
    for _ in range(rng.randint(1, 8)):
        op = rng.random()
        pos = rng.randint(0, len(data)) if data else 0
        if op < 0.25 and data:
            data[min(pos, len(data) - 1)] = rng.randrange(256)
        elif op < 0.5:
            data[pos:pos] = rng.choice(specials)
        elif op < 0.65 and data:
            del data[pos:pos + rng.randint(1, 64)]
        elif op < 0.72 and data:
            del data[pos:]
        elif op < 0.85 and len(data) > 8:
            start = rng.randrange(len(data))
            data[pos:pos] = data[start:start + rng.randint(1, 256)] * rng.randint(1, 20)
        else:
            other = rng.choice(pool)
            if other:
                start = rng.randrange(len(other))
                data[pos:pos] = other[start:start + rng.randint(1, 512)]
    if data and rng.random() < 0.2:
        data[0] = rng.randrange(len(MODES))
    return bytes(data[:2_000_000])


def summary(started: float, engine: str) -> str:
    lines = [f"fuzz_returnfile ({engine}): {time.monotonic() - started:,.0f} s, {_state['inputs']:,} inputs "
             f"({_state['accepted']:,} accepted, {_state['refused']:,} refused), slowest {_state['slowest']:.2f} s, "
             f"{sum(f['count'] for f in _state['findings'].values())} finding(s)"]
    for kind, entry in sorted(_state["findings"].items()):
        lines.append(f"  {entry['count']:>6} × {kind}: {entry['detail'].strip().splitlines()[-1][:200]}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--mutate", action="store_true", help="use the plain mutation loop, not atheris")
    parser.add_argument("--findings", default="/tmp/pccperf-fuzz-findings")
    parser.add_argument("--corpus", default="/tmp/pccperf-fuzz-corpus")
    parser.add_argument("--seed", type=int, default=None)
    args, rest = parser.parse_known_args()
    folder = Path(args.findings)
    started = time.monotonic()
    try:
        import atheris
    except ImportError:
        atheris = None
    if atheris is not None and not args.mutate:
        with atheris.instrument_imports(include=["indicators", "openpyxl"]):
            import openpyxl.reader.excel  # noqa: F401  (the reader imports these lazily)
            import openpyxl.worksheet._reader  # noqa: F401

            import indicators.returns.file  # noqa: F401
        global decode
        decode = atheris.instrument_func(decode)      # each mode's branch is coverage, so every seed is kept
        members, cat = template_members(), catalogue()
        corpus = Path(args.corpus)
        corpus.mkdir(parents=True, exist_ok=True)
        for i, seed in enumerate(seeds(members)):
            (corpus / f"seed-{i}").write_bytes(seed)
        last = [time.monotonic()]

        def one(data: bytes) -> None:
            check_one(data, members, cat, folder)
            if time.monotonic() - last[0] > 60:
                last[0] = time.monotonic()
                print(summary(started, "atheris"), flush=True)
            if time.monotonic() - started > args.seconds:
                print(summary(started, "atheris"), flush=True)
                os._exit(0)

        atheris.Setup([sys.argv[0], str(corpus), "-max_len=300000", "-len_control=0", "-timeout=30", "-rss_limit_mb=3072",
                       *rest], one)
        atheris.Fuzz()
        return 0
    import indicators.returns.file  # noqa: F401
    members, cat = template_members(), catalogue()
    rng = random.Random(args.seed)
    pool = seeds(members)
    last = time.monotonic()
    while time.monotonic() - started < args.seconds:
        data = mutate(rng.choice(pool), rng, pool)
        check_one(data, members, cat, folder)
        if rng.random() < 0.01 and len(data) < 300_000:
            pool.append(data)
            pool[:] = pool[:5] + pool[-200:]
        if time.monotonic() - last > 60:
            last = time.monotonic()
            print(summary(started, "mutation loop"), flush=True)
    print(summary(started, "mutation loop"), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
