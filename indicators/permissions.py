"""Who may see what. Draft data is for the force's own analysts only."""

from __future__ import annotations


def can_see_drafts(user, force) -> bool:
    """Superusers see every force's drafts. (Per-force analyst and panel
    memberships extend this when data entry roles arrive.)"""
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser)
