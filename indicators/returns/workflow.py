"""Returns: stage a checked file (or the admin grid) as draft returns,
preview what it would change, submit and publish.

Figures wait as ReturnLines until their return is published; publishing
writes them to Observations in one transaction, and the Observation history
keeps every earlier value with who and when. So published data changes only
by publishing, and the public never sees a draft.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from indicators import periods, versioning
from indicators.access.permissions import (
    can_write_figures,
    editable_force_ids,
    granted_benchmark_ids,
    granted_peer_ids,
    write_refusal,
)
from indicators.engine.windows import span_label
from indicators.models import Force, Indicator, LocalArea, Observation, Return, ReturnLine, ReturnState
from indicators.returns import history
from indicators.returns.file import Catalogue, IndicatorInfo, Row

FIELDS = ["value", "numerator", "denominator", "status", "note", "first_month", "lower", "upper", "illustrative"]


class ReturnError(Exception):
    pass


def catalogue_for(user) -> Catalogue:
    """Forces and indicators a file may name, and which the user may write
    (None = an operator with every permission): their own forces, and the
    MSG figures of the planless peers granted to their forces
    (permissions.granted_peer_ids). A row for any other force is refused
    with permissions.write_refusal's reason."""
    forces = dict(Force.objects.values_list("slug", "id"))
    indicators = {
        (slug, code): IndicatorInfo(pk, force_id, unit, aggregation, msg, frequency, covers, scale)
        for pk, force_id, slug, code, unit, aggregation, msg, frequency, covers, scale in
        Indicator.objects.values_list("id", "force_id", "force__slug", "code", "unit", "aggregation", "msg",
                                      "frequency", "covers", "scale")
    }
    editable = None if user is None else editable_force_ids(user)
    peers = set() if user is None else granted_peer_ids(user)
    if editable is not None:            # a granted benchmark series: every measure of it (SPEC §6)
        editable = editable | granted_benchmark_ids(user)
    areas = {(slug, code): pk for pk, slug, code in LocalArea.objects.values_list("id", "force__slug", "code")}
    return Catalogue(forces, indicators, editable, peers, areas, why_not=_refusals(user), held_spans=held_spans())


def held_spans() -> dict[tuple[int, int | None], list[tuple[date, date]]]:
    """The spans of the published figures of the measures whose spans may
    not overlap and may be longer than a month (non-monthly, no ``covers``;
    SPEC §6), by (indicator id, area id). One query, over those measures only."""
    out: dict[tuple[int, int | None], list[tuple[date, date]]] = defaultdict(list)
    for indicator_id, area_id, month, first in (
            Observation.objects.filter(indicator__covers__isnull=True).exclude(indicator__frequency="monthly")
            .values_list("indicator_id", "area_id", "month", "first_month")):
        out[(indicator_id, area_id)].append((first or month, month))
    return dict(out)


def _refusals(user):
    """permissions.write_refusal by force id, each force asked once (a file
    of 1,000 refused rows asks once)."""
    if user is None:
        return None
    known: dict[int, str] = {}

    def why_not(force_id: int) -> str:
        if force_id not in known:
            force = Force.objects.filter(pk=force_id).first()
            known[force_id] = write_refusal(user, force) or f"you may not file figures for {force}"
        return known[force_id]
    return why_not


def refuse_outside_scope(user, force_ids: Collection[int]) -> None:
    """ReturnError naming each force of ``force_ids`` the user may not write,
    and why (permissions.write_refusal); nothing is written by the caller.
    The staging and the grid ask it again after the checker has: a caller
    that skipped the checker still writes nothing it should not."""
    if user is None:
        return
    refused = [write_refusal(user, force) for force in Force.objects.filter(pk__in=set(force_ids)).order_by("name")
               if not can_write_figures(user, force)]
    if refused:
        raise ReturnError("; ".join(refused))


@dataclass
class Change:
    row: Row
    kind: str                         # new | changed | unchanged
    old: dict | None = None
    area_name: str = ""               # the local area's name, shown rather than its code

    def describe(self) -> str:
        area = f" {self.area_name or self.row.area}" if self.row.area else ""
        where = f"{self.row.force} {self.row.indicator}{area} {periods.format_month(self.row.month)}"
        first = getattr(self.row, "first_month", None)
        if first:                   # a figure over a span (SPEC §6): say which months
            where += f" ({span_label(first, self.row.month)})"
        if self.kind == "changed":
            return f"{where}: {_show(self.old)} → {_show(_fields(self.row))}"
        return f"{where}: {_show(_fields(self.row))}"


def _fields(row) -> dict:
    return {f: getattr(row, f, None) for f in FIELDS}


def _show(values: dict) -> str:
    if values["status"] == "unavailable":
        return "unavailable"
    v = values["value"]
    text = "—" if v is None else (f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}".rstrip("0").rstrip("."))
    if values["numerator"] is not None:
        text += f" ({values['numerator']:g}/{values['denominator']:g})"
    return (text + (" provisional" if values["status"] == "provisional" else "")
            + (" illustrative" if values.get("illustrative") else ""))


def unchanged(held: dict | None, new: dict, decimals: int) -> bool:
    """Is ``new`` the figure already held? The one test of "changed?" that the
    preview, the grid, the import and publishing all use (SPEC §4): numbers
    are equal when they differ by less than half a unit in the indicator's
    (decimals + 2)th place, so a spreadsheet's float noise (54.9295774647887
    for 54.929577464788736) is no revision; status and note must match.

    A ratio figure given by its parts (value left empty, so worked out as
    100 × numerator / denominator) is unchanged when the parts are: the held
    value may have been given rounded (55.2 for 275/498).

    ``illustrative`` counts only when ``new`` gives it (True or False): a
    file without the column leaves the flag of a figure it does not change
    as held (docs/decisions.md, "The illustrative column")."""
    if held is None:
        return False
    tolerance = 0.5 * 10 ** -(decimals + 2)

    def same(a, b) -> bool:
        return a is None and b is None or a is not None and b is not None and abs(a - b) < tolerance

    if (held["status"] or "final") != (new["status"] or "final") or \
            (held["note"] or "").strip() != (new["note"] or "").strip():
        return False
    if not (same(held["numerator"], new["numerator"]) and same(held["denominator"], new["denominator"])):
        return False
    # SPEC §6: a figure's span and interval are part of it (absent from a caller's dict: none)
    if held.get("first_month") != new.get("first_month") or not (
            same(held.get("lower"), new.get("lower")) and same(held.get("upper"), new.get("upper"))):
        return False
    # issue 30: the flag is part of a figure when the file says it (its `illustrative` column); a file
    # without the column (None) says nothing, so a figure equal to the held one keeps the held flag
    if new.get("illustrative") is not None and bool(new["illustrative"]) != bool(held.get("illustrative")):
        return False
    if same(held["value"], new["value"]):
        return True
    num, den = new["numerator"], new["denominator"]
    return (held["value"] is not None and new["value"] is not None and num is not None and bool(den)
            and abs(new["value"] - 100.0 * num / den) < 1e-9)


def preview(rows: list[Row]) -> list[Change]:
    """What publishing ``rows`` would do to the published figures (one query)."""
    ids = {r.indicator_id for r in rows}
    months = {r.month for r in rows}
    current = {(o["indicator_id"], o["area_id"], o["month"]): o for o in
               Observation.objects.filter(indicator_id__in=ids, month__in=months)
               .values("indicator_id", "area_id", "month", *FIELDS, decimals=F("indicator__decimals"))}
    area_ids = {r.area_id for r in rows if r.area_id}
    names = dict(LocalArea.objects.filter(pk__in=area_ids).values_list("id", "name")) if area_ids else {}
    changes = []
    for row in rows:
        old = current.get((row.indicator_id, row.area_id, row.month))
        name = names.get(row.area_id, "")
        if old is None:
            changes.append(Change(row, "new", area_name=name))
        elif unchanged(old, _fields(row), old["decimals"]):
            changes.append(Change(row, "unchanged", old, name))
        else:
            changes.append(Change(row, "changed", old, name))
    return changes


@dataclass
class Summary:
    returns: list[Return] = field(default_factory=list)
    counts: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))   # force -> kind -> n

    @property
    def figures(self) -> int:
        return sum(sum(counts.values()) for counts in self.counts.values())

    @property
    def kept(self) -> int:
        """Figures new or changed: those a return holds (the unchanged are left out)."""
        return sum(counts["new"] + counts["changed"] for counts in self.counts.values())

    @property
    def nothing_changed(self) -> bool:
        return not any(counts["new"] or counts["changed"] for counts in self.counts.values())

    def nothing_changed_message(self) -> str:
        return (f"nothing changed: all {self.figures:,} figures equal the published ones; "
                "no return was made")

    def lines(self) -> list[str]:
        out = []
        for force, counts in sorted(self.counts.items()):
            out.append(f"{force}: {counts['new']:,} new, {counts['changed']:,} changed, "
                       f"{counts['unchanged']:,} unchanged")
        return out


def summarise(changes: list[Change]) -> Summary:
    summary = Summary()
    for change in changes:
        summary.counts[change.row.force][change.kind] += 1
    return summary


@transaction.atomic
def stage(rows: list[Row], *, user, source: str, period: str = "", publish: bool = False,
          changes: list[Change] | None = None) -> Summary:
    """One draft Return per force in ``rows`` holding the figures that change
    something; published at once with ``publish``. All or nothing. Figures
    equal to the published ones are left out, and a force whose figures
    change nothing gets no return, so a file that changes nothing makes no
    return and bumps no data version (``summary.nothing_changed``).
    ``changes`` is the preview of ``rows`` when the caller has it already."""
    refuse_outside_scope(user, {r.force_id for r in rows})
    changes = changes if changes is not None else preview(rows)
    summary = summarise(changes)
    by_force: dict[int, list[Row]] = defaultdict(list)
    for change in changes:
        if change.kind != "unchanged":
            by_force[change.row.force_id].append(change.row)
    if not by_force:
        return summary
    label = period or _period_label(rows)
    now = timezone.now()
    for force_id, force_rows in by_force.items():
        ret = Return.objects.create(force_id=force_id, period=label, author=user, source=source[:300])
        summary.returns.append(ret)
        if publish:
            # Published at once: the figures go straight to the observations,
            # which record them as published from this return (and the history
            # once revised: returns/history.py); lines are only for figures that wait.
            _check_may(user, ret, "publish")
            _apply(ret, [(r.indicator_id, r.month, *_stored(r)) for r in force_rows],
                   user, areas=[r.area_id for r in force_rows])
            publish_writing(ret, {r.month for r in force_rows}, user)
        else:
            ReturnLine.objects.bulk_create(
                [ReturnLine(source_return=ret, indicator_id=r.indicator_id, area_id=r.area_id, month=r.month,
                            value=r.value,
                            numerator=r.numerator, denominator=r.denominator, status=r.status, note=r.note,
                            first_month=r.first_month, lower=r.lower, upper=r.upper,
                            illustrative=bool(r.illustrative), row=r.number, written_at=now)
             for r in force_rows], batch_size=2000)
    # the forces whose figures changed (bulk writes send no signal); no other force's cached pages go stale
    versioning.bump_forces({ret.force_id for ret in summary.returns})
    return summary


def _stored(row: Row) -> list:
    """FIELDS of ``row`` as a figure stores them: a row that said nothing of
    the flag (no ``illustrative`` column) is a real figure, as the analyst
    filed it. (Only new and changed figures are stored: one equal to the
    held figure keeps its flag, workflow.unchanged.)"""
    values = [getattr(row, f, None) for f in FIELDS]
    values[FIELDS.index("illustrative")] = bool(values[FIELDS.index("illustrative")])
    return values


def _period_label(rows: list[Row]) -> str:
    first, last = min(r.month for r in rows), max(r.month for r in rows)
    if periods.quarter(first) == periods.quarter(last):
        return periods.quarter(first)
    return f"{periods.format_month(first)} to {periods.format_month(last)}"


def _check_may(user, ret: Return, action: str) -> None:
    if user is None:
        return
    why = write_refusal(user, ret.force)
    if why:
        raise ReturnError(f"{user} may not {action} return {ret.pk}: {why}")
    if not user.has_perm("indicators.publish_return" if action == "publish" else "indicators.change_return"):
        raise ReturnError(f"{user} may not {action} returns of {ret.force.name}")


@transaction.atomic
def submit_return(ret: Return, *, user) -> None:
    _check_may(user, ret, "submit")
    ret = Return.objects.select_for_update().get(pk=ret.pk)
    if ret.state != ReturnState.DRAFT:
        raise ReturnError(f"return {ret.pk} is {ret.state}; only a draft can be submitted")
    ret.state, ret.submitted_at, ret.submitted_by = ReturnState.SUBMITTED, timezone.now(), user
    ret.save(update_fields=["state", "submitted_at", "submitted_by"])


@dataclass(frozen=True)
class Conflict:
    """A figure of a draft that is older than the figure published since for
    the same indicator and month, which publishing the draft would undo."""
    force: str
    indicator: str
    indicator_id: int
    month: date
    draft: dict                     # FIELDS as the draft has them
    published: dict                 # FIELDS as published since
    published_at: datetime
    published_return: int | None
    published_period: str
    written_at: datetime            # when the draft's figure was entered or last edited
    area: str = ""                  # the local area's code; "" for the whole force's figure
    area_id: int | None = None

    @property
    def key(self) -> str:
        """What the analyst confirms: this figure over that publication (a
        later publication makes a new key, to be confirmed afresh)."""
        area = f"{self.area}:" if self.area else ""
        return f"{self.indicator_id}:{area}{periods.format_month(self.month)}:{self.published_at.isoformat()}"

    def describe(self) -> str:
        when = timezone.localtime(self.published_at).strftime("%-d %B %Y %H:%M")
        source = (f" from return #{self.published_return} ({self.published_period})"
                  if self.published_return else "")
        area = f" {self.area}" if self.area else ""
        return (f"{self.force} {self.indicator}{area} {periods.month_label(self.month)}: this draft has "
                f"{_show(self.draft)}; {_show(self.published)} was published since, on {when}{source}")


class StaleDraft(ReturnError):
    """Publishing would undo figures published since the draft's were written."""

    def __init__(self, ret: Return, conflicts: list[Conflict]):
        self.ret, self.conflicts = ret, conflicts
        n = len(conflicts)
        super().__init__(
            f"return {ret.pk} ({ret.force.slug} {ret.period}) was not published: {n} of its figure{'s' if n != 1 else ''} "
            f"{'is' if n == 1 else 'are'} older than the figure{'s' if n != 1 else ''} published since, which "
            f"publishing would undo; confirm each to publish it anyway. "
            + "; ".join(c.describe() for c in conflicts))


def stale_conflicts(ret: Return) -> list[Conflict]:
    """The figures of ``ret`` written before the same indicator and month was
    last published, where publishing ``ret`` would change that figure."""
    lines = list(ret.lines.filter(indicator__observations__month=F("month"),
                                  indicator__observations__updated_at__gt=F("written_at"))
                 .order_by().values("indicator_id", "area_id", "month", "written_at", *FIELDS).distinct())
    if not lines:
        return []
    held = {(o["indicator_id"], o["area_id"], o["month"]): o for o in Observation.objects.filter(
        indicator_id__in={line["indicator_id"] for line in lines}, month__in={line["month"] for line in lines})
        .values("indicator_id", "area_id", "month", "updated_at", "source_return_id", "source_return__period",
                *FIELDS, force=F("indicator__force__slug"), code=F("indicator__code"),
                decimals=F("indicator__decimals"), area_code=F("area__code"))}
    out = []
    for line in lines:
        obs = held.get((line["indicator_id"], line["area_id"], line["month"]))
        if obs is None or obs["updated_at"] <= line["written_at"]:
            continue                # the join matched another area's (or the force's) figure
        if unchanged(obs, line, obs["decimals"]):
            continue
        out.append(Conflict(obs["force"], obs["code"], line["indicator_id"], line["month"],
                            {f: line[f] for f in FIELDS}, {f: obs[f] for f in FIELDS}, obs["updated_at"],
                            obs["source_return_id"], obs["source_return__period"] or "", line["written_at"],
                            obs["area_code"] or "", line["area_id"]))
    return sorted(out, key=lambda c: (c.indicator, c.area, c.month))


@transaction.atomic
def publish_return(ret: Return, *, user, confirm: Collection[str] = ()) -> dict:
    """Write the return's lines to the published figures, keeping history.

    A stale draft (SPEC §4: figures older than one published since for the
    same indicator and month) is refused with StaleDraft listing the
    conflicts, unless ``confirm`` holds the key of each."""
    _check_may(user, ret, "publish")
    ret = Return.objects.select_for_update().select_related("force").get(pk=ret.pk)
    if ret.state == ReturnState.PUBLISHED:
        raise ReturnError(f"return {ret.pk} is already published")
    # Lock the figures it writes first: no publication slips in between the check and the write.
    keys = list(ret.lines.values_list("indicator_id", "month"))
    list(Observation.objects.select_for_update().filter(indicator_id__in={k[0] for k in keys},
                                                        month__in={k[1] for k in keys}).values_list("pk"))
    unconfirmed = [c for c in stale_conflicts(ret) if c.key not in set(confirm)]
    if unconfirmed:
        raise StaleDraft(ret, unconfirmed)
    # values_list, not model instances: a 50,000-line return loads in a fraction of the time
    lines = list(ret.lines.values_list("indicator_id", "month", *FIELDS, "area_id"))
    result = _apply(ret, [line[:-1] for line in lines], user, areas=[line[-1] for line in lines])
    publish_writing(ret, {month for _, month in keys}, user)
    return result


def covered_months(ret: Return, months: Collection[date] = ()) -> set[date]:
    """The months a return covers: those of its figures and, when its period
    is a quarter ("2013/14 Q1"), the quarter's three months."""
    covered = set(months)
    try:
        covered.update(periods.quarter_months(*periods.parse_quarter(ret.period)))
    except ValueError:
        pass
    return covered


def publish_writing(ret: Return, months: Collection[date], user) -> list:
    """Publish the force's draft commentary and executive summaries for the
    months ``ret`` covers, with it (docs/decisions.md, "Writing that
    publishes with the return"). Saved one by one: each keeps a history
    record saying who published it and with which return."""
    from indicators.models import Commentary, ExecutiveSummary, WritingState

    published = []
    covered = covered_months(ret, months)
    for model in (ExecutiveSummary, Commentary):
        for item in model.objects.filter(force_id=ret.force_id, month__in=covered, state=WritingState.DRAFT):
            item.state = WritingState.PUBLISHED
            item._change_reason = f"Published with return {ret.pk} ({ret.period})"
            if user is not None:
                item._history_user = user
            item.save(update_fields=["state", "updated_at"])
            published.append(item)
    return published


def _apply(ret: Return, lines: list[tuple], user, areas: list[int | None] | None = None) -> dict:
    """Write figures (indicator_id, month, value, numerator, denominator,
    status, note) to the observations with history, and mark ``ret`` published.
    ``areas``: the local area id of each line (None: the whole force's
    figure); without it every line is the whole force's.

    A new figure is inserted in bulk (COPY on PostgreSQL) with no history row:
    its Observation, with ``ret`` as its source, records its first value, who
    and when (returns/history.py). A changed figure gets its first value
    written to the history if it had none, then the change with who and when."""
    areas = areas if areas is not None else [None] * len(lines)
    existing = {(o.indicator_id, o.area_id, o.month): o for o in Observation.objects.filter(
        Q(indicator_id__in={line[0] for line in lines}), month__in={line[1] for line in lines})
        .annotate(decimals=F("indicator__decimals"))}
    now = timezone.now()
    create, update, before, same = [], [], [], 0
    for (indicator_id, month, *figures), area_id in zip(lines, areas):
        obs = existing.get((indicator_id, area_id, month)) if existing else None
        if obs is None:
            create.append((indicator_id, month, *figures, ret.pk, now, area_id))
            continue
        values = dict(zip(FIELDS, figures))
        if unchanged({f: getattr(obs, f) for f in FIELDS}, values, obs.decimals):
            same += 1
        else:
            before.append(history.snapshot(obs))
            for f, v in values.items():
                setattr(obs, f, v)
            obs.source_return, obs.updated_at = ret, now
            update.append(obs)
    reason = history.published_reason(ret.pk, ret.period)
    if create:
        _insert_observations(create)
    if update:
        history.write_first_values(before)
        bulk_update_with_history(update, Observation, [*FIELDS, "source_return", "updated_at"], batch_size=2000,
                                 default_user=user, default_change_reason=reason)
    ret.state, ret.published_at, ret.published_by = ReturnState.PUBLISHED, now, user
    ret.save(update_fields=["state", "published_at", "published_by"])      # bumps the data version
    return {"new": len(create), "changed": len(update), "unchanged": same}


# The columns of a new observation, in the order _apply builds its rows.
_INSERT_COLUMNS = ["indicator_id", "month", *FIELDS, "source_return_id", "updated_at", "area_id"]


def _insert_observations(rows: list[tuple]) -> None:
    """Insert new observations: COPY on PostgreSQL (psycopg 3), bulk_create
    elsewhere. The database's constraints check every row either way."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Observation._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(Observation._meta.get_field(c.removesuffix("_id")).column)
                            for c in _INSERT_COLUMNS)
        # A return repeats a few hundred months, one source and one time: each is formatted once.
        months, tails = {}, {}
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for start in range(0, len(rows), 20_000):
                copy.write("".join(_copy_line(row, months, tails) for row in rows[start:start + 20_000]))
        return
    Observation.objects.bulk_create([Observation(**dict(zip(_INSERT_COLUMNS, row))) for row in rows],
                                    batch_size=2000)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """A value in COPY's text format: \\N for NULL, floats by repr (which
    reads back to the same float), text with its tabs, newlines and
    backslashes escaped."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, float):
        return repr(value)
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _copy_line(row: tuple, months: dict, tails: dict) -> str:
    (indicator_id, month, value, numerator, denominator, status, note, first_month, lower, upper, illustrative,
     source_return_id, updated_at, area_id) = row
    month_text = months.get(month) or months.setdefault(month, month.isoformat())
    first_text = "\\N" if first_month is None else (months.get(first_month)
                                                    or months.setdefault(first_month, first_month.isoformat()))
    tail = tails.get((source_return_id, updated_at)) or tails.setdefault(
        (source_return_id, updated_at), f"{_copy_text(source_return_id)}\t{updated_at.isoformat()}\t")
    return (f"{indicator_id}\t{month_text}\t{_copy_text(value)}\t{_copy_text(numerator)}\t"
            f"{_copy_text(denominator)}\t{_copy_text(status)}\t{_copy_text(note)}\t{first_text}\t"
            f"{_copy_text(lower)}\t{_copy_text(upper)}\t{'t' if illustrative else 'f'}\t{tail}{_copy_text(area_id)}\n")


@transaction.atomic
def grid_source(area: LocalArea | None = None) -> str:
    """How a grid's draft return is told apart: the whole force's grid, or
    one local area's (by its code, which does not change when the area is
    renamed). Each has its own draft, so publishing one never publishes
    another's figures."""
    return "Quarterly return grid" if area is None else f"Quarterly return grid, local area {area.code}"


def save_grid(force: Force, quarter: str, rows: list[Row], user,
              area: LocalArea | None = None) -> tuple[Return | None, Summary]:
    """The quarterly grid saved: the force's draft grid return for the
    quarter (or, with ``area``, that local area's draft grid return) made or
    updated to hold the figures that differ from the published ones, in one
    transaction. Nothing to hold and no draft: no return is made (and no
    data version bumped). A figure the draft held already keeps when it was
    written, so saving the grid again without touching a cell does not make
    an older figure look new (a stale draft)."""
    refuse_outside_scope(user, {force.pk} | {r.force_id for r in rows})
    changes = preview(rows)
    summary = summarise(changes)
    keep = [c.row for c in changes if c.kind != "unchanged"]
    if any(r.area_id != (area.id if area else None) for r in keep):
        raise ReturnError("a grid's draft holds the figures of one local area, or of the whole force, only")
    source = grid_source(area)
    ret = (Return.objects.select_for_update()
           .filter(force=force, period=quarter, state=ReturnState.DRAFT, source=source)
           .order_by("-created_at").first())
    if ret is None and not keep:
        return None, summary
    if ret is None:
        ret = Return.objects.create(force=force, period=quarter, author=user, source=source)
    decimals = dict(Indicator.objects.filter(id__in={r.indicator_id for r in keep}).values_list("id", "decimals"))
    before = {(line["indicator_id"], line["area_id"], line["month"]): line
              for line in ret.lines.values("indicator_id", "area_id", "month", "written_at", *FIELDS)}
    now = timezone.now()
    lines = []
    for r in keep:
        old = before.pop((r.indicator_id, r.area_id, r.month), None)
        same = old is not None and unchanged(old, _fields(r), decimals.get(r.indicator_id, 0))
        lines.append(ReturnLine(source_return=ret, indicator_id=r.indicator_id, area_id=r.area_id, month=r.month,
                                value=r.value,
                                numerator=r.numerator, denominator=r.denominator, status=r.status, note=r.note,
                                first_month=r.first_month, lower=r.lower, upper=r.upper,
                                illustrative=bool(r.illustrative), written_at=old["written_at"] if same else now))
    if not before and all(line.written_at != now for line in lines):
        return ret, summary                     # the draft holds exactly these figures already
    if not lines:
        ret.delete()        # every figure is back to the published one: the draft has nothing left to hold
        return None, summary
    ret.lines.all().delete()
    ReturnLine.objects.bulk_create(lines)
    ret.save()      # a history record of the edit, with who; bumps the data version
    return ret, summary
