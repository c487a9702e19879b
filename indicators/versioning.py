"""The data version: bumped with every change to plans or figures (signals
for saves and deletes, explicit calls after bulk writes, which send none)."""

from __future__ import annotations

from django.db import connection
from django.db.models import F


def bump(*args, **kwargs) -> None:
    from indicators.models import DataVersion

    if not DataVersion.objects.filter(pk=1).update(version=F("version") + 1):
        DataVersion.objects.get_or_create(pk=1, defaults={"version": 1})


def current() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM indicators_dataversion WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else 0


def connect_signals(app_config) -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from indicators.models import DataVersion, PendingUpload

    for model in app_config.get_models():
        if model in (DataVersion, PendingUpload):      # the version itself; files not yet imported
            continue
        uid = f"pccperf-version-{model._meta.label_lower}"
        post_save.connect(bump, sender=model, dispatch_uid=uid + "-save", weak=False)
        post_delete.connect(bump, sender=model, dispatch_uid=uid + "-delete", weak=False)
    from indicators.models import Force

    m2m_changed.connect(bump, sender=Force.msg_peers.through, dispatch_uid="pccperf-version-m2m", weak=False)
