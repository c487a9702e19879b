"""data.police.uk street-level crime files -> monthly observations per force
and crime type (issue: open data).

Files are read row by row and counted (force, month, crime type, LSOA name)
in C-speed Counter updates, so memory stays flat whatever the archive's size
(a key per LSOA, month and crime type, not per row). The counts become return
rows, for each force and for each of its local areas (the LSOA name less its
trailing code: "Bromsgrove 004A" -> Bromsgrove; a row without a location
counts for the force only), and go through the same checks and atomic,
history-keeping path as a return file.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from pathlib import Path

SOURCE = "data.police.uk, Open Government Licence v3.0"
STREET_HEADER = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
                 "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context"]
ALL_CRIME = "policeuk-all-crime"

# The 44 forces of data.police.uk: id -> the name its files use in "Falls within".
FORCES = {
    "avon-and-somerset": "Avon and Somerset Constabulary", "bedfordshire": "Bedfordshire Police",
    "btp": "British Transport Police", "cambridgeshire": "Cambridgeshire Constabulary",
    "cheshire": "Cheshire Constabulary", "city-of-london": "City of London Police",
    "cleveland": "Cleveland Police", "cumbria": "Cumbria Constabulary", "derbyshire": "Derbyshire Constabulary",
    "devon-and-cornwall": "Devon & Cornwall Police", "dorset": "Dorset Police", "durham": "Durham Constabulary",
    "dyfed-powys": "Dyfed-Powys Police", "essex": "Essex Police", "gloucestershire": "Gloucestershire Constabulary",
    "greater-manchester": "Greater Manchester Police", "gwent": "Gwent Police", "hampshire": "Hampshire Constabulary",
    "hertfordshire": "Hertfordshire Constabulary", "humberside": "Humberside Police", "kent": "Kent Police",
    "lancashire": "Lancashire Constabulary", "leicestershire": "Leicestershire Police",
    "lincolnshire": "Lincolnshire Police", "merseyside": "Merseyside Police",
    "metropolitan": "Metropolitan Police Service", "norfolk": "Norfolk Constabulary",
    "north-wales": "North Wales Police", "north-yorkshire": "North Yorkshire Police",
    "northamptonshire": "Northamptonshire Police", "northumbria": "Northumbria Police",
    "nottinghamshire": "Nottinghamshire Police", "south-wales": "South Wales Police",
    "south-yorkshire": "South Yorkshire Police", "staffordshire": "Staffordshire Police",
    "suffolk": "Suffolk Constabulary", "surrey": "Surrey Police", "sussex": "Sussex Police",
    "thames-valley": "Thames Valley Police", "warwickshire": "Warwickshire Police",
    "west-mercia": "West Mercia Police", "west-midlands": "West Midlands Police",
    "west-yorkshire": "West Yorkshire Police", "wiltshire": "Wiltshire Police",
}

# Crime types as the files name them -> data.police.uk category slugs.
CRIME_TYPES = {
    "Anti-social behaviour": "anti-social-behaviour", "Bicycle theft": "bicycle-theft", "Burglary": "burglary",
    "Criminal damage and arson": "criminal-damage-arson", "Drugs": "drugs", "Other crime": "other-crime",
    "Other theft": "other-theft", "Possession of weapons": "possession-of-weapons", "Public order": "public-order",
    "Robbery": "robbery", "Shoplifting": "shoplifting", "Theft from the person": "theft-from-the-person",
    "Vehicle crime": "vehicle-crime", "Violence and sexual offences": "violent-crime",
    "Violent crime": "violent-crime", "Public disorder and weapons": "public-disorder-weapons",
}
NOT_CRIME = {"Anti-social behaviour"}     # incidents, not crimes: outside "all crime"

# An LSOA name is its local authority's name and a code: "Bromsgrove 004A".
_LSOA_CODE = re.compile(r"\s+\d{3}[A-Z]$")


def area_name(lsoa_name: str) -> str:
    """The local area of a street row, from its ``LSOA name``: the name less
    its trailing LSOA code ("Bromsgrove 004A" -> "Bromsgrove"); a name with
    no such code is the area's whole name ("Bromsgrove" -> "Bromsgrove"); ""
    for a row without a location (it counts for the force only)."""
    name = " ".join(lsoa_name.split())
    return _LSOA_CODE.sub("", name)


def _normal(name: str) -> str:
    name = name.lower().replace("&", "and")
    name = re.sub(r"\b(police service|police|constabulary|service)\b", "", name)
    return re.sub(r"[^a-z0-9]+", "-", name).strip("-")


_BY_NAME = {_normal(name): slug for slug, name in FORCES.items()}
_BY_NAME.update({_normal(slug): slug for slug in FORCES})
_BY_NAME.update({"metropolitan-police": "metropolitan", "british-transport": "btp"})


def force_for_name(name: str) -> str | None:
    """A force's data.police.uk id from the names files and tables use:
    "Devon & Cornwall Police", "Metropolitan Police", "Avon and Somerset"."""
    return _BY_NAME.get(_normal(name))


def indicator_code(crime_type: str) -> str:
    return "policeuk-" + CRIME_TYPES[crime_type]


def indicator_name(crime_type: str) -> str:
    return f"{crime_type} (data.police.uk)"


class PoliceUkError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Counts:
    """Rows counted by (Falls within, Month, Crime type, LSOA name)."""
    by_key: Counter = field(default_factory=Counter)
    rows: int = 0
    files: list[str] = field(default_factory=list)


def street_files(paths: list[str]) -> Iterator[tuple[str, object]]:
    """(label, opener) for each street file under ``paths``: a CSV, a .gz, a
    folder (searched recursively) or a data.police.uk .zip (read in place)."""
    problems = []
    found = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if re.search(r"-street\.csv(\.gz)?$", p.name))
            if not files:
                problems.append(f"{raw}: no *-street.csv or *-street.csv.gz file in this folder")
            found += [(str(p), p) for p in files]
        elif path.suffix == ".zip":
            try:
                archive = zipfile.ZipFile(path)
            except (OSError, zipfile.BadZipFile) as exc:
                problems.append(f"{raw}: not a readable zip archive ({exc})")
                continue
            members = sorted(n for n in archive.namelist() if re.search(r"-street\.csv$", n))
            if not members:
                problems.append(f"{raw}: the archive has no *-street.csv file")
            found += [(f"{raw}:{m}", (archive, m)) for m in members]
        elif path.exists():
            found.append((str(path), path))
        else:
            problems.append(f"{raw}: no such file or folder")
    if problems:
        raise PoliceUkError(problems)
    yield from found


def _open_text(source) -> io.TextIOBase:
    if hasattr(source, "open_text"):            # a member of an uploaded archive (policeuk_upload.Member)
        return source.open_text()
    if isinstance(source, tuple):
        archive, member = source
        return io.TextIOWrapper(archive.open(member), encoding="utf-8-sig", newline="")
    if source.suffix == ".gz":
        return gzip.open(source, "rt", encoding="utf-8-sig", newline="")
    return source.open(encoding="utf-8-sig", newline="")


def count_file(label: str, source, counts: Counts, *, progress=None) -> None:
    """Count one street file's rows into ``counts``; PoliceUkError if it is
    not a street file, has a malformed month, or is cut short."""
    try:
        with _open_text(source) as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None or [h.strip() for h in header[:len(STREET_HEADER)]] != STREET_HEADER:
                raise PoliceUkError([f"{label}: not a data.police.uk street-level file; the header should be "
                                     f"{','.join(STREET_HEADER)}"])
            before = counts.rows
            key = itemgetter(3, 1, 9, 8)
            local: Counter = Counter()
            seen = 0
            while True:
                # In blocks, so a progress bar can move; Counter.update over
                # map() counts in C, and memory stays flat (a key per force,
                # month and crime type, not per row).
                local.update(map(key, islice(reader, 100_000)))
                total = sum(local.values())
                if total == seen:
                    break
                counts.rows += total - seen
                if progress:
                    progress(total - seen)
                seen = total
    except (EOFError, gzip.BadGzipFile, zipfile.BadZipFile, OSError) as exc:
        raise PoliceUkError([f"{label}: the file is damaged or cut short ({type(exc).__name__}: {exc})"]) from None
    except UnicodeDecodeError:
        raise PoliceUkError([f"{label}: not UTF-8 text"]) from None
    except IndexError:
        raise PoliceUkError([f"{label}: a row has fewer columns than the street-level header"]) from None
    bad = [k for k in local if not re.fullmatch(r"\d{4}-\d{2}", k[1]) or not 1 <= int(k[1][5:]) <= 12]
    if bad:
        row = _first_row_with_month(source, bad[0][1])
        raise PoliceUkError([f"{label}: row {row}, column Month: {bad[0][1]!r} is not a month (YYYY-MM)"])
    unknown_types = sorted({k[2] for k in local} - set(CRIME_TYPES))
    if unknown_types:
        raise PoliceUkError([f"{label}: unknown crime type {t!r}" for t in unknown_types])
    counts.by_key.update(local)
    counts.files.append(f"{label} ({counts.rows - before:,} rows)")


def _first_row_with_month(source, month: str) -> int:
    with _open_text(source) as handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            if number > 1 and len(row) > 1 and row[1] == month:
                return number
    return 0


def observation_rows(counts: Counts, *, only: set[str] | None = None, skip_unknown: bool = False,
                     area_codes: dict[tuple[str, str], str] | None = None) -> tuple[list[list[str]], dict[str, int]]:
    """Return-file rows (with the ninth column, area) from the counts: per
    force and month present, every crime type seen in that month (0 where
    the force recorded none) and all crime; the same for each local area of
    the force met in the files, in every month the force published (0 where
    the area had none). A force absent from a month gets nothing for it:
    missing, not 0. ``area_codes``: (force slug, area name) -> the area's
    code (see `area_names`); without it, the force's rows only. Also the
    rows of "Falls within" values that match no force."""
    unknown: Counter = Counter()
    slugs = {fw: force_for_name(fw) for fw in {k[0] for k in counts.by_key}}
    # (Falls within, LSOA name) -> area code, worked out once per LSOA, not per key
    area_of: dict[tuple[str, str], str] = {}
    if area_codes is not None:
        for falls_within, lsoa in {(k[0], k[3]) for k in counts.by_key if k[3]}:
            slug, name = slugs[falls_within], area_name(lsoa)
            if slug is not None and name and not (only and slug not in only):
                area_of[(falls_within, lsoa)] = area_codes[(slug, name)]
    by_area: Counter = Counter()          # (Falls within, month, crime type, area code or "") -> n
    for (falls_within, month, crime_type, lsoa), n in counts.by_key.items():
        by_area[(falls_within, month, crime_type, "")] += n
        if lsoa:
            area = area_of.get((falls_within, lsoa))
            if area:
                by_area[(falls_within, month, crime_type, area)] += n
    per: dict[tuple[str, str, str], Counter] = {}
    types_in_month: dict[str, set[str]] = {}
    areas_of: dict[str, set[str]] = {}
    for (falls_within, month, crime_type, area), n in by_area.items():
        slug = slugs[falls_within]
        if slug is None:
            if not area:
                unknown[falls_within] += n
            continue
        if only and slug not in only:
            continue
        per.setdefault((slug, month, area), Counter())[crime_type] += n
        types_in_month.setdefault(month, set()).add(crime_type)
        if area:
            areas_of.setdefault(slug, set()).add(area)
    for slug, month, _force in [k for k in per if not k[2]]:
        for code in areas_of.get(slug, ()):
            per.setdefault((slug, month, code), Counter())     # zeros within the force's published months
    if unknown and not skip_unknown:
        raise PoliceUkError([f"\"Falls within\" {name!r} matches no force ({n:,} rows); add it, or use --skip-unknown"
                             for name, n in sorted(unknown.items())])
    rows = []
    for (slug, month, area), by_type in sorted(per.items()):
        codes: Counter = Counter()
        for crime_type in types_in_month[month]:
            codes[indicator_code(crime_type)] += by_type.get(crime_type, 0)
        codes[ALL_CRIME] = sum(n for t, n in by_type.items() if t not in NOT_CRIME)
        for code, n in sorted(codes.items()):
            rows.append([slug, code, month, str(n), "", "", "final", "", area])
    return rows, dict(unknown)


def area_names(counts: Counts, *, only: set[str] | None = None) -> dict[str, set[str]]:
    """The local areas' names met in the counts, by force slug (rows of
    forces that match no name are left out)."""
    out: dict[str, set[str]] = {}
    slugs: dict[str, str | None] = {}
    for falls_within, lsoa in {(k[0], k[3]) for k in counts.by_key if k[3]}:
        if falls_within not in slugs:
            slugs[falls_within] = force_for_name(falls_within)
        slug = slugs[falls_within]
        if slug is None or (only and slug not in only):
            continue
        name = area_name(lsoa)
        if name:
            out.setdefault(slug, set()).add(name)
    return out


def months_in(rows) -> str:
    months = sorted({r[2] for r in rows})
    if not months:
        return "no months"
    return months[0] if len(months) == 1 else f"{months[0]} to {months[-1]}"

