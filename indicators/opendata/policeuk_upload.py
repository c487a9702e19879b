"""data.police.uk files uploaded in the admin (issue 27 item 5): bounded,
kept in the database, counted and imported by two jobs.

An upload is one data.police.uk archive (.zip) or one or more street files
(.csv or .csv.gz). Loose files are put into a zip of their own, stored
uncompressed (no CPU spent in the request), so that whatever was uploaded
waits as one `PendingUpload` under one token: in the database, where any
server's worker finds it (SPEC §4), never on a server's disk.

Bounds, so that neither a mistake nor a zip bomb ties up a worker: the
request's size (POLICEUK_UPLOAD_MAX_BYTES, checked before the body is kept),
the archive's number of members (POLICEUK_ARCHIVE_MAX_MEMBERS) and the size
its members unpack to (POLICEUK_MAX_UNPACKED_BYTES). The last is checked on
the sizes the archive declares, when it is uploaded (Python's zipfile
never gives more bytes than a member declares: a member that holds more
fails its CRC check), and counted again while reading, which also bounds a
.gz inside (its own declared size is only modulo 4 GiB).

Jobs: "policeuk-preview" counts the files with progress and makes the
dry run's preview (`import_policeuk --dry-run`'s lines); "policeuk-apply"
imports them in one transaction that also deletes the pending upload, so a
second run of it finds nothing and changes nothing."""

from __future__ import annotations

import io
import re
import time
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from indicators.models import PendingUpload
from indicators.opendata import policeuk, policeuk_import
from indicators.returns import pending
from indicators.returns.file import ReturnFileError
from jobs import runner

# what an archive holds besides street files: read by nothing here
_NOT_STREET = re.compile(r"-(outcomes|stop-and-search)\.csv(\.gz)?$")
_CSV = re.compile(r"\.csv(\.gz)?$", re.IGNORECASE)
MAX_PROBLEMS = 200


def max_upload() -> int:
    return settings.POLICEUK_UPLOAD_MAX_BYTES


def max_members() -> int:
    return settings.POLICEUK_ARCHIVE_MAX_MEMBERS


def max_unpacked() -> int:
    return settings.POLICEUK_MAX_UNPACKED_BYTES


def mb(n: int) -> str:
    """A size in words: MB, or KB below one MB."""
    return f"{n / 1024 / 1024:,.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:,.0f} KB"


def perms(publish: bool) -> list[str]:
    """The permissions `import_policeuk --user` demands, and so the admin's."""
    return ["indicators.add_return"] + (["indicators.publish_return"] if publish else [])


def may_import(user, *, publish: bool = False) -> bool:
    return bool(user and user.is_active and user.has_perms(perms(publish)))


def bundle(files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    """(the bytes to keep, a name for them) from the uploaded files: one
    archive as it is, or loose street files in a stored (uncompressed) zip.
    PoliceUkError says what is wrong: a file neither zip nor CSV, an archive
    with other files, more members or unpacked bytes than allowed, no street
    file."""
    if not files:
        raise policeuk.PoliceUkError(["choose a data.police.uk archive (.zip) or street files (.csv, .csv.gz)"])
    zips = [name for name, _ in files if name.lower().endswith(".zip")]
    if zips and len(files) > 1:
        raise policeuk.PoliceUkError([f"{', '.join(zips)}: upload one archive on its own, or street files "
                                      "without an archive"])
    if zips:
        name, data = files[0]
    else:
        bad = [name for name, _ in files if not _CSV.search(name)]
        if bad:
            raise policeuk.PoliceUkError([f"{name}: not a .zip, .csv or .csv.gz file" for name in bad])
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
            seen: set[str] = set()
            for number, (member, data) in enumerate(files, start=1):
                member = member.replace("/", "_").replace("\\", "_")
                archive.writestr(f"{number}-{member}" if member in seen else member, data)
                seen.add(member)
        name = files[0][0] if len(files) == 1 else f"{len(files)} street files"
        data = out.getvalue()
    members(data, name)                          # refused now, not when the job reads it
    return data, name


def members(data: bytes, name: str) -> list[str]:
    """The street files of an archive, within the bounds; PoliceUkError
    otherwise (nothing is kept or read)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as exc:
        raise policeuk.PoliceUkError([f"{name}: not a readable zip archive ({exc})"]) from None
    infos = archive.infolist()
    if len(infos) > max_members():
        raise policeuk.PoliceUkError([f"{name}: the archive has {len(infos):,} files; at most {max_members():,} "
                                      "are read (a month of every force's files is about 130)"])
    unpacked = sum(info.file_size for info in infos)
    if unpacked > max_unpacked():
        raise policeuk.PoliceUkError([f"{name}: the archive's files unpack to {mb(unpacked)}; at most "
                                      f"{mb(max_unpacked())} are read (a zip bomb, or far more than a month of "
                                      "data); nothing was kept"])
    street = sorted(info.filename for info in infos if not info.is_dir() and _CSV.search(info.filename)
                    and not _NOT_STREET.search(info.filename))
    if not street:
        raise policeuk.PoliceUkError([f"{name}: no street file (*-street.csv, .csv or .csv.gz) in it"])
    return street


class _Budget:
    """Bytes left to unpack across every member of one upload."""

    def __init__(self, total: int):
        self.total, self.left = total, total


class _Counted(io.RawIOBase):
    """A member's decompressed bytes, counted against the upload's budget."""

    def __init__(self, raw, budget: _Budget, label: str):
        self.raw, self.budget, self.label = raw, budget, label

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        self.budget.left -= len(data)
        if self.budget.left < 0:
            raise policeuk.PoliceUkError([f"{self.label}: the files unpack to more than {mb(self.budget.total)}; "
                                          "at most that is read (a zip bomb, or far more than a month of data)"])
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        self.raw.close()
        super().close()


@dataclass
class Member:
    """One street file of an uploaded archive, opened as `policeuk.count_file` reads it."""
    archive: zipfile.ZipFile
    name: str
    budget: _Budget

    def open_text(self) -> io.TextIOBase:
        raw = self.archive.open(self.name)
        if self.name.lower().endswith(".gz"):
            import gzip
            raw = gzip.GzipFile(fileobj=raw)
        return io.TextIOWrapper(io.BufferedReader(_Counted(raw, self.budget, self.name)),
                                encoding="utf-8-sig", newline="")


def count(data: bytes, name: str, progress=None) -> policeuk.Counts:
    """Count every street file of an upload (PoliceUkError if one is not),
    telling ``progress(done, total, stage=...)`` the files and rows read."""
    names = members(data, name)
    archive = zipfile.ZipFile(io.BytesIO(data))
    budget = _Budget(max_unpacked())
    counts = policeuk.Counts()
    for done, member in enumerate(names):
        def told(_n, done=done, member=member):
            if progress:
                progress(done, len(names), stage=f"file {done + 1} of {len(names)}, {member}: "
                                                 f"{counts.rows:,} rows read")
        told(0)
        policeuk.count_file(member, Member(archive, member, budget), counts, progress=told)
    if progress:
        progress(len(names), len(names), stage=f"{counts.rows:,} rows read; checking the figures")
    return counts


def _problems(problems: list[str], total: int | None = None) -> dict:
    return {"problems": [str(p) for p in problems[:MAX_PROBLEMS]], "problem_count": max(total or 0, len(problems))}


def _counted(job, upload, progress) -> tuple[policeuk.Counts, list, dict, dict]:
    """(counts, force rows, unknown forces, a result so far); PoliceUkError as the command's."""
    p = job.params
    started = time.perf_counter()
    counts = count(upload.data, upload.name, progress)
    only = set(p.get("forces") or [])
    rows, unknown = policeuk.observation_rows(counts, only=only, skip_unknown=p.get("skip_unknown", False))
    seconds = time.perf_counter() - started
    result = {"name": upload.name, "files": counts.files, "rows": counts.rows, "figures": len(rows),
              "months": policeuk.months_in(rows), "forces": sorted({r[0] for r in rows}),
              "skipped": [policeuk_import.skipped_line(name, n) for name, n in sorted(unknown.items())],
              "read": policeuk_import.read_line(counts, rows), "count_seconds": round(seconds, 2),
              "publish": bool(p.get("publish")), "problems": [], "problem_count": 0}
    return counts, rows, unknown, result


@runner.kind("policeuk-preview")
def preview_job(job, progress) -> dict:
    """Count the uploaded files and preview the import, as `--dry-run` does;
    nothing is written (the forces, indicators and areas it would create
    are rolled back with the rest)."""
    p = job.params
    checked = _checked(job, progress, gone=_problems(["the upload is no longer waiting (imported, cancelled, or "
                                                      "older than a day); please upload it again"]))
    if isinstance(checked, dict):
        return checked
    _upload, counts, rows, result = checked
    try:
        written = policeuk_import.write(counts, rows, only=set(p.get("forces") or []), user=job.user,
                                        publish=p.get("publish", False), dry_run=True)
    except ReturnFileError as exc:
        return {**result, **_problems(exc.problems, exc.total)}
    progress(1, 1, stage="preview ready")
    return {**result, "lines": written.lines}


def _checked(job, progress, *, gone: dict):
    """The uploader's waiting upload, counted as them: (upload, counts, rows,
    result), or the outcome to report instead (``gone`` when the upload is no
    longer waiting; the problems found otherwise)."""
    p = job.params
    upload = pending.find(user=job.user, token=p["token"]) if job.user else None
    if upload is None:
        return gone
    if not may_import(job.user, publish=p.get("publish", False)):
        return _problems([f"{job.user}: not allowed; needs the permission(s) {', '.join(perms(p.get('publish')))}"])
    try:
        counts, rows, _unknown, result = _counted(job, upload, progress)
    except policeuk.PoliceUkError as exc:
        return {"name": upload.name, **_problems(exc.problems)}
    if not rows:
        return {**result, **_problems(["no figures to import; nothing was written"])}
    return upload, counts, rows, result


@runner.kind("policeuk-apply")
def apply_job(job, progress) -> dict:
    """Import a previewed upload: counted again from the stored bytes (the
    preview's counts are not trusted to still be the upload's), checked again
    as the user (their permissions, today), written in one transaction that
    deletes the pending upload too. A second run finds no upload and changes
    nothing."""
    p = job.params
    checked = _checked(job, progress, gone={**_problems([]), "nothing": True})
    if isinstance(checked, dict):
        return checked
    upload, counts, rows, result = checked
    progress(1, 1, stage="writing the figures")
    try:
        with transaction.atomic():
            # locked, and still the bytes counted: two runs of this job import it once
            locked = PendingUpload.objects.select_for_update().filter(pk=upload.pk, sha256=upload.sha256).first()
            if locked is None:
                return {**_problems([]), "nothing": True}
            written = policeuk_import.write(counts, rows, only=set(p.get("forces") or []), user=job.user,
                                            publish=p.get("publish", False), dry_run=False)
            locked.delete()
    except ReturnFileError as exc:
        return {**result, **_problems(exc.problems, exc.total)}
    returns = [{"id": r.pk, "force": r.force.name, "period": r.period, "state": r.get_state_display()}
               for r in written.summary.returns]
    return {**result, "lines": written.lines, "written": written.figures, "returns": returns}
