"""The two roles, as groups with model permissions, and who may do what.

Groups are made by a data migration and again after every `migrate` or
`flush` (post_migrate), so they are always there.
"""

from __future__ import annotations

ANALYST = "OPCC analyst"
PANEL = "Panel member"

_SPEC = {
    ANALYST: {
        "observation": ["view", "add", "change"],
        "return": ["view", "add", "change", "publish"],
        "returnline": ["view", "add", "change", "delete"],
        "assessment": ["view", "add", "change", "delete"],
        "commentary": ["view", "add", "change", "delete"],
        "executivesummary": ["view", "add", "change", "delete"],
        "indicator": ["view"], "target": ["view"], "plan": ["view"], "force": ["view"],
        # the meetings' dates and their papers' front sheets (issue 29): the OPCC writes the panel's paper
        "strategicpriority": ["view"], "panelmeeting": ["view", "add", "change"],
    },
    PANEL: {
        "observation": ["view"], "return": ["view"], "returnline": ["view"], "assessment": ["view"],
        "commentary": ["view"], "executivesummary": ["view"], "indicator": ["view"], "target": ["view"],
        "plan": ["view"], "panelmeeting": ["view"],
    },
}


def codenames(group: str) -> list[str]:
    return [("publish_return" if action == "publish" else f"{action}_{model}")
            for model, actions in _SPEC[group].items() for action in actions]


def ensure_groups(Group, Permission) -> None:
    """Create or update both groups (model classes passed in, so a migration
    can use its historical models)."""
    for name in _SPEC:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(Permission.objects.filter(content_type__app_label="indicators",
                                                        codename__in=codenames(name)))


def post_migrate(sender, **kwargs):
    from django.contrib.auth.models import Group, Permission
    ensure_groups(Group, Permission)
