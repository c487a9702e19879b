"""Small XLSX files that are costly to read (issue 24 item 2), built the way
the adversarial pass built them: a valid return workbook with one part
swollen. Each is written part by part into the zip, so building one needs
a few MB, not the hundreds of MB it would expand to.

    styles_bomb()   ~280 KB, 1.5 million <xf> cell styles in styles.xml
    strings_bomb()  ~250 KB, 6 million <si> shared strings
    rows_bomb()     ~7.5 MB, 3 million empty <row/> elements after the figures

Used by tests/test_returnfile_trust.py and bench/bench_import.py."""

from __future__ import annotations

import io
import re
import zipfile

HEADER = ["force", "indicator", "month", "value", "numerator", "denominator", "status", "note"]
ROWS = [["west-mercia", "vwi", "2013-04", 512, None, None, "final", None],
        ["west-mercia", "vwi", "2013-05", 498, None, None, "final", None]]
SHEET = "xl/worksheets/sheet1.xml"
STYLES = "xl/styles.xml"
STRINGS = "xl/sharedStrings.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def base() -> bytes:
    """A valid return workbook: the header and two rows."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def swollen(replace: dict, data: bytes | None = None) -> bytes:
    """``data`` (``base()``) with the parts in ``replace`` written by their
    generators (each yields bytes), streamed into the zip (deflated); a name
    it does not hold is added."""
    source = zipfile.ZipFile(io.BytesIO(data or base()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = [info.filename for info in source.infolist()]
        for name in names + [n for n in replace if n not in names]:
            if name in replace:
                with target.open(name, "w", force_zip64=True) as handle:
                    for chunk in replace[name]():
                        handle.write(chunk)
            else:
                target.writestr(name, source.read(name))
    return out.getvalue()


def with_shared_strings() -> tuple[bytes, list[str]]:
    """``base()`` as Excel writes it: its texts in a shared-strings part
    (openpyxl writes them inline), and those texts in order."""
    source = zipfile.ZipFile(io.BytesIO(base()))
    texts: list[str] = []

    def shared(match):
        text = match.group(2)
        if text not in texts:
            texts.append(text)
        return f'{match.group(1)} t="s"><v>{texts.index(text)}</v></c>'

    sheet = re.sub(r'(<c r="[A-Z]+[0-9]+") t="inlineStr"><is><t>([^<]*)</t></is></c>', shared,
                   source.read(SHEET).decode())
    types = source.read("[Content_Types].xml").decode().replace("</Types>", (
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" /></Types>'))
    rels = source.read("xl/_rels/workbook.xml.rels").decode().replace("</Relationships>", (
        '<Relationship Id="rIdStrings" Target="sharedStrings.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" />'
        "</Relationships>"))
    strings = (f'<sst xmlns="{MAIN}" count="{len(texts)}" uniqueCount="{len(texts)}">'
               + "".join(f"<si><t>{text}</t></si>" for text in texts) + "</sst>")
    data = swollen({SHEET: lambda: [sheet.encode()], "[Content_Types].xml": lambda: [types.encode()],
                    "xl/_rels/workbook.xml.rels": lambda: [rels.encode()], STRINGS: lambda: [strings.encode()]},
                   source.fp.getvalue())
    return data, texts


def _repeat(piece: bytes, count: int, per_chunk: int = 20_000):
    chunk = piece * per_chunk
    for _ in range(count // per_chunk):
        yield chunk
    yield piece * (count % per_chunk)


def styles_bomb(entries: int = 1_500_000) -> bytes:
    def styles():
        yield (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{MAIN}">'
               '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
               '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
               '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
               '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
               f'<cellXfs count="{entries}">').encode()
        yield from _repeat(b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>', entries)
        yield b'</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' \
              b'</styleSheet>'
    return swollen({STYLES: styles})


def strings_bomb(count: int = 6_000_000) -> bytes:
    data, texts = with_shared_strings()

    def strings():
        yield (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN}" '
               f'count="{count}" uniqueCount="{count}">').encode()
        for text in texts:                      # the strings the sheet uses, then millions more
            yield f"<si><t>{text}</t></si>".encode()
        yield from _repeat(b"<si><t>x</t></si>", count - len(texts))
        yield b"</sst>"
    return swollen({STRINGS: strings}, data)


def rows_bomb(count: int = 3_000_000) -> bytes:
    original = zipfile.ZipFile(io.BytesIO(base())).read(SHEET)
    head, tail = original.split(b"</sheetData>")

    def sheet():
        yield head
        for start in range(4, count + 4, 50_000):
            yield "".join(f'<row r="{n}"/>' for n in range(start, min(start + 50_000, count + 4))).encode()
        yield b"</sheetData>" + tail
    return swollen({SHEET: sheet})


_MEASURE = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
import openpyxl.reader.excel  # noqa: imported before the baseline: what is measured is the reading
from indicators.returns.file import ReturnFileError, read_table


def status(key):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(key + ":")) / 1024


data = open({path!r}, "rb").read()
try:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")                  # reset the peak (VmHWM) to what is resident now
    hwm = True
except OSError:
    hwm = False
base = status("VmRSS") if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
cpu = time.process_time()
wall = time.perf_counter()
try:
    header, body = read_table(data, "return.xlsx")
    outcome = f"read: {{len(body):,}} rows"
except ReturnFileError as exc:
    outcome = str(exc)
wall = time.perf_counter() - wall
cpu = time.process_time() - cpu
peak = status("VmHWM") if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": wall, "cpu": cpu, "peak_mb": peak, "growth_mb": peak - base, "outcome": outcome}}))
"""


def measure(path, timeout: float = 300, root: str | None = None) -> dict:
    """Read the file at ``path`` with read_table in a fresh Python: wall and
    CPU seconds, the process's peak resident memory and how much reading
    added to it (Linux's VmHWM, reset once the imports and the file are
    loaded; elsewhere ru_maxrss, which a child inherits from its parent, so
    its growth reads low), and the outcome (the rows read, or the problems).
    ``root``: the checkout whose reader is measured (this one by default)."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = root or str(Path(__file__).resolve().parent.parent)
    done = subprocess.run([sys.executable, "-c", _MEASURE.format(root=root, path=str(path))], capture_output=True,
                          text=True, timeout=timeout, check=True)
    return json.loads(done.stdout)
