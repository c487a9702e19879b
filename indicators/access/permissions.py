"""Who may see and change what (per force). Every write path and every read
of drafts goes through these: the pages, the API and the CSV (can_see_drafts),
the admin's lists, change and history pages and actions (indicators.admin.
ForceScoped), the grid and the import (writable_force_ids), and the return-file
checker (returns.catalogue_for -> writable_force_ids, write_refusal).

The rules, in one place:

- Superusers see and change everything (None below means "every force").
- An "OPCC analyst" reads and changes the data of the forces they are a
  member of, drafts included.
- A "Panel member" reads the published data of the forces they are a member
  of: no drafts, anywhere (SPEC §1).
- Anyone else (anonymous, staff without a group) reads published data on the
  public pages only, and nothing in the admin.
- Figures (returns, the grid, the file import, the CLI with --user): an
  analyst writes the figures of their own forces only, and of an MSG peer
  of one of them that has no plan of its own and that an administrator
  granted to that force (Force.files_for), its MSG measures only. A force
  with its own plan is written by its own analysts only, granted or not.
  A benchmark series (Force.is_benchmark: england-and-wales, wales; SPEC §6)
  is filed like such a peer: it has no plan, an administrator grants it to
  a force (Force.files_for, no MSG link needed), and then that force's
  analysts file every measure of it (a benchmark's measures are its series).
  write_refusal says why not, in words; every write path asks it (through
  writable_force_ids, can_write_figures or the return-file catalogue).
  docs/decisions.md, "Who may write a force's figures (issue 24, item 1)".
"""

from __future__ import annotations

from indicators.access.roles import ANALYST, PANEL


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _groups(user) -> set[str]:
    cache = getattr(user, "_pccperf_groups", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._pccperf_groups = cache
    return cache


def member_force_ids(user) -> set[int]:
    cache = getattr(user, "_pccperf_forces", None)
    if cache is None:
        cache = set(user.force_memberships.values_list("force_id", flat=True))
        user._pccperf_forces = cache
    return cache


def editable_force_ids(user) -> set[int] | None:
    """The forces whose data ``user`` may change; None means every force."""
    if not _active(user):
        return set()
    if user.is_superuser:
        return None
    if ANALYST not in _groups(user):
        return set()
    return member_force_ids(user)


def readable_force_ids(user) -> set[int] | None:
    """The forces whose records ``user`` may read in the admin (published
    ones; drafts need draft_force_ids too); None means every force."""
    if not _active(user):
        return set()
    if user.is_superuser:
        return None
    if not _groups(user) & {ANALYST, PANEL}:
        return set()
    return member_force_ids(user)


def draft_force_ids(user) -> set[int] | None:
    """The forces whose unpublished figures and returns ``user`` may see,
    everywhere (pages, API, CSV, reports, admin lists and history): the
    force's analysts and superusers (None = every force)."""
    return editable_force_ids(user)


def granted_peer_ids(user) -> set[int]:
    """The peers whose MSG figures ``user`` may write besides their own
    forces': each an MSG peer of one of the user's forces, granted to that
    force by an administrator (Force.files_for), and with no plan of its
    own. A grant lapses by itself when the peer gets a plan or stops being
    that force's peer. Superusers write every force anyway
    (editable_force_ids is None), so this is empty for them."""
    from indicators.models import Force, Plan

    editable = editable_force_ids(user)
    if not editable:
        return set()
    cache = getattr(user, "_pccperf_peers", None)
    if cache is None:
        granted = set(Force.files_for.through.objects.filter(from_force_id__in=editable)
                      .values_list("from_force_id", "to_force_id"))
        peers = set(Force.msg_peers.through.objects.filter(from_force_id__in=editable)
                    .values_list("from_force_id", "to_force_id")) if granted else set()
        candidates = {peer for _, peer in granted & peers}
        # a benchmark series is granted without being an MSG peer (SPEC §6 Benchmarks)
        candidates |= set(Force.objects.filter(pk__in={peer for _, peer in granted}, is_benchmark=True)
                          .values_list("pk", flat=True)) if granted else set()
        planned = set(Plan.objects.filter(force_id__in=candidates).values_list("force_id", flat=True)) \
            if candidates else set()
        cache = user._pccperf_peers = candidates - planned - editable
    return cache


def granted_benchmark_ids(user) -> set[int]:
    """Those of granted_peer_ids that are benchmark series: every measure of
    theirs may be written, not only MSG ones."""
    from indicators.models import Force

    peers = granted_peer_ids(user)
    return set(Force.objects.filter(pk__in=peers, is_benchmark=True).values_list("pk", flat=True)) if peers else set()


def writable_force_ids(user) -> set[int] | None:
    """The forces whose figures ``user`` may write, and whose returns they
    may file, see, submit and publish: their own forces and the granted
    peers of granted_peer_ids (whose returns hold MSG figures only, as the
    return-file checker allows nothing else); None means every force."""
    editable = editable_force_ids(user)
    return None if editable is None else editable | granted_peer_ids(user)


def can_write_figures(user, force) -> bool:
    return _within(writable_force_ids(user), force)


def write_refusal(user, force) -> str | None:
    """Why ``user`` may not write ``force``'s figures, in words that name the
    force and the reason; None when they may. The one statement of the rule:
    the file checker, the grid, the CLI, the admin and publishing all refuse
    with it."""
    from indicators.models import Force, Plan

    if user is None or can_write_figures(user, force):
        return None
    name = force.name if force is not None else "this force"
    if not editable_force_ids(user):
        return f"you may not file figures for {name}: only a force's analysts file its figures"
    if Plan.objects.filter(force=force).exists():
        return f"{name} has its own plan; only its analysts may file its figures"
    if force is not None and force.is_benchmark:
        return (f"{name} is a benchmark series, and no administrator has granted it to your force: an "
                "administrator may add it under \"MSG peers this force's analysts file for\" on your force's "
                "admin page")
    own = list(Force.objects.filter(pk__in=editable_force_ids(user), msg_peers=force).order_by("name"))
    if not own:
        return f"{name} is not one of your forces, nor an MSG peer of one, so you may not file its figures"
    names = " or ".join(f.name for f in own)
    return (f"{name} is an MSG peer of {names} with no plan of its own, but no administrator has granted it to "
            f"{names}: an administrator may add it under \"MSG peers this force's analysts file for\" on the "
            "force's admin page")


def _within(ids: set[int] | None, force) -> bool:
    return ids is None or (force is not None and force.pk in ids)


def can_edit(user, force) -> bool:
    return _within(editable_force_ids(user), force)


def can_see_drafts(user, force) -> bool:
    """Analysts of the force (and superusers) see its unpublished figures on
    the pages, the API, reports and the admin, clearly marked; panel members
    and the public see published data only (SPEC §1)."""
    return _within(draft_force_ids(user), force)
