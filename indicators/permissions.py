"""Who may see and change what (per force). Every write path and every read
of drafts goes through these."""

from __future__ import annotations

from indicators.roles import ANALYST


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


def can_edit(user, force) -> bool:
    ids = editable_force_ids(user)
    return ids is None or force.pk in ids


def can_see_drafts(user, force) -> bool:
    """Analysts of the force (and superusers) see its unpublished figures on
    the pages, the API and reports, clearly marked; panel members and the
    public see published data only (SPEC §1). Panel members read their
    forces' returns, drafts included, in the admin (scoped by indicators.admin)."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    return ANALYST in _groups(user) and force.pk in member_force_ids(user)
