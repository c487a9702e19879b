"""The data versions a cached page is keyed by.

The global version (DataVersion, one row) goes up with every change to
plans, forces and anything not confined to one force; each force's own
version (ForceDataVersion) with every change to that force's figures,
returns, assessments, commentary and panel meetings. Signals bump them for
saves and deletes; bulk writes (which send none) call `bump` or
`bump_forces` themselves. A force's page is keyed by the global version and
the versions of the force, its MSG peers and the benchmark series (the
forces whose data its pages read); any other page by the global version and
the sum of every force's (reports/cache.py)."""

from __future__ import annotations

from django.db import connection
from django.db.models import F

# Rows of these models belong to one force's data: (the model's name, how to reach its force).
FORCE_SCOPED = {"observation": "indicator", "returnline": "indicator", "assessment": "indicator",
                "return": "force", "commentary": "force", "executivesummary": "force", "panelmeeting": "force"}


def bump(*args, **kwargs) -> None:
    from indicators.models import DataVersion

    if not DataVersion.objects.filter(pk=1).update(version=F("version") + 1):
        DataVersion.objects.get_or_create(pk=1, defaults={"version": 1})


def bump_forces(force_ids, *, create: bool = True) -> None:
    """One up on each of these forces' own versions. A force with no row yet
    gets one (``create``), or, while rows are being deleted (a force's
    cascade: a row made now would point at a force about to go), the global
    version goes up instead: never a change that leaves a page cached."""
    from indicators.models import ForceDataVersion

    ids = {int(i) for i in force_ids if i is not None}
    if not ids:
        return
    done = ForceDataVersion.objects.filter(force_id__in=ids).update(version=F("version") + 1)
    if done < len(ids):
        if not create:
            bump()
            return
        held = set(ForceDataVersion.objects.filter(force_id__in=ids).values_list("force_id", flat=True))
        for force_id in ids - held:
            ForceDataVersion.objects.get_or_create(force_id=force_id, defaults={"version": 1})


def _bump_scoped(sender, instance, created=None, **kwargs) -> None:
    """A save or delete of one force's row: that force's version."""
    from indicators.models import ForceDataVersion, Indicator

    # post_save passes created, post_delete does not; a history record (simple_history) is written beside the
    # change it records, a delete's too (a force's cascade): it never makes a version row
    saved = created is not None and not sender._meta.model_name.startswith("historical")
    via = FORCE_SCOPED[_base_name(sender)]
    if via == "force":
        bump_forces([getattr(instance, "force_id", None)], create=saved)
    else:
        # one UPDATE (the force found by a subquery), as the global bump was; the lookup only when the force
        # has no version row yet
        indicator = Indicator.objects.filter(pk=getattr(instance, "indicator_id", None))
        if ForceDataVersion.objects.filter(force_id__in=indicator.values("force_id")).update(version=F("version") + 1):
            return
        force_id = indicator.values_list("force_id", flat=True).first()
        if force_id is None:
            bump()                     # its indicator is gone with it (a cascade): say so to every page
        else:
            bump_forces([force_id], create=saved)


def _base_name(model) -> str:
    """The model's name, and a history model's (simple_history) its tracked model's."""
    name = model._meta.model_name
    return name[len("historical"):] if name.startswith("historical") else name


def current() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM indicators_dataversion WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else 0


def connect_signals(app_config) -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from indicators.models import DataVersion, ForceDataVersion, PendingUpload

    for model in app_config.get_models():
        if model in (DataVersion, ForceDataVersion, PendingUpload):   # the versions; files not yet imported
            continue
        handler = _bump_scoped if _base_name(model) in FORCE_SCOPED else bump
        uid = f"pccperf-version-{model._meta.label_lower}"
        post_save.connect(handler, sender=model, dispatch_uid=uid + "-save", weak=False)
        post_delete.connect(handler, sender=model, dispatch_uid=uid + "-delete", weak=False)
    from indicators.models import Force

    m2m_changed.connect(bump, sender=Force.msg_peers.through, dispatch_uid="pccperf-version-m2m", weak=False)
