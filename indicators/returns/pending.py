"""Return files waiting for confirmation: checked and previewed, not yet
imported. They are kept in the database, never on a server's disk, so that
the confirm can reach any server behind the load balancer (SPEC §4).

A pending upload is found only by its token together with its uploader:
another user, even an analyst of the same force, never finds it. It is
deleted when confirmed or cancelled; one older than a day is deleted when
anyone next uploads a file (so no scheduled job is needed), and a confirm
that comes later finds nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from indicators.models import PendingUpload

TTL = timedelta(days=1)


def keep(*, user, data: bytes, name: str, force_ids=()) -> str:
    """Keep ``data`` for ``user`` to confirm; the token that finds it again.
    Uploads older than a day, anyone's, are deleted first."""
    now = timezone.now()
    with transaction.atomic():
        expire(now)
        pending = PendingUpload.objects.create(
            token=secrets.token_urlsafe(32), uploader=user, name=name[:255], data=data, size=len(data),
            sha256=hashlib.sha256(data).hexdigest(), created=now)
        if force_ids:
            pending.forces.set(force_ids)
    return pending.token


def find(*, user, token: str, lock: bool = False) -> PendingUpload | None:
    """The user's pending upload under ``token``, if it is still there and
    less than a day old (its bytes as they were uploaded). With ``lock``
    (inside a transaction) its row stays locked until the transaction ends,
    so that two confirms of one upload, on two servers, import it once."""
    if not token or not user.is_authenticated:
        return None
    uploads = PendingUpload.objects.filter(token=token, uploader=user, created__gt=timezone.now() - TTL)
    if lock:
        uploads = uploads.select_for_update(of=("self",))
    pending = uploads.first()
    if pending is None:
        return None
    pending.data = bytes(pending.data)            # PostgreSQL gives a memoryview
    if hashlib.sha256(pending.data).hexdigest() != pending.sha256:
        raise ValueError(f"pending upload {pending.pk} ({pending.name}) does not match its checksum")
    return pending


def waiting(*, user, token: str) -> bool:
    """Whether the user's upload under ``token`` is still there, without
    reading its bytes (a data.police.uk archive may be 200 MB)."""
    if not token or not user.is_authenticated:
        return False
    return PendingUpload.objects.filter(token=token, uploader=user,
                                        created__gt=timezone.now() - TTL).exists()


def discard(*, user, token: str) -> bool:
    """Delete the user's pending upload under ``token``; whether there was one."""
    if not token or not user.is_authenticated:
        return False
    deleted, _ = PendingUpload.objects.filter(token=token, uploader=user).delete()
    return deleted > 0


def expire(now=None) -> int:
    """Delete every pending upload older than a day; how many there were."""
    now = now or timezone.now()
    return PendingUpload.objects.filter(created__lte=now - TTL).delete()[1].get(PendingUpload._meta.label, 0)
