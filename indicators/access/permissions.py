"""Who may see and change what (per force). Every write path and every read
of drafts goes through these: the pages, the API and the CSV (can_see_drafts),
the admin's lists, change and history pages and actions (indicators.admin.
ForceScoped), the grid and the import (editable/filing forces), and the
return-file checker (returns.catalogue_for -> peer_force_ids).

The rules, in one place:

- Superusers see and change everything (None below means "every force").
- An "OPCC analyst" reads and changes the data of the forces they are a
  member of, drafts included.
- A "Panel member" reads the published data of the forces they are a member
  of: no drafts, anywhere (SPEC §1).
- Anyone else (anonymous, staff without a group) reads published data on the
  public pages only, and nothing in the admin.
- MSG peers: an analyst may file figures for the MSG indicators of their
  forces' peers only where no one is a member of that peer; a force with its
  own people owns its own data (docs/decisions.md, "Trust").
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


def peer_force_ids(user) -> set[int]:
    """MSG peers of the user's editable forces for whose MSG indicators the
    user may file figures: only peers no one is a member of (a force with
    its own analysts or panel owns its data). Superusers file for any force
    anyway (editable_force_ids is None), so this is empty for them."""
    from indicators.models import Force, ForceMembership

    editable = editable_force_ids(user)
    if not editable:
        return set()
    cache = getattr(user, "_pccperf_peers", None)
    if cache is None:
        peers = set(Force.msg_peers.through.objects.filter(from_force_id__in=editable)
                    .values_list("to_force_id", flat=True))
        owned = set(ForceMembership.objects.filter(force_id__in=peers).values_list("force_id", flat=True))
        cache = user._pccperf_peers = peers - owned - editable
    return cache


def filing_force_ids(user) -> set[int] | None:
    """The forces for which ``user`` may file, see, submit and publish
    returns: their editable forces and the peers of peer_force_ids (whose
    returns hold MSG figures only, as the checker allows nothing else)."""
    editable = editable_force_ids(user)
    return None if editable is None else editable | peer_force_ids(user)


def _within(ids: set[int] | None, force) -> bool:
    return ids is None or (force is not None and force.pk in ids)


def can_edit(user, force) -> bool:
    return _within(editable_force_ids(user), force)


def can_file(user, force) -> bool:
    return _within(filing_force_ids(user), force)


def can_see_drafts(user, force) -> bool:
    """Analysts of the force (and superusers) see its unpublished figures on
    the pages, the API, reports and the admin, clearly marked; panel members
    and the public see published data only (SPEC §1)."""
    return _within(draft_force_ids(user), force)
