"""Return files waiting for confirmation live in the database (SPEC §4: no
state on a server's own disk), found only by their uploader's token, and go
when confirmed, cancelled or a day old."""

import hashlib
import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from indicators import models
from indicators.returns import pending
from indicators.returns.file import MAX_BYTES
from tests.factories import make_user
from tests.test_data_entry import HEADER, plan  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db
IMPORT = "/admin/indicators/return/import/"
FILE = HEADER + "\nwest-mercia,vwi,2013-04,512,,,,\nwest-mercia,vwi,2013-05,498,,,,\n"


@pytest.fixture
def ana(plan, client):  # noqa: F811
    user = make_user("ana", role="analyst", forces=[plan])
    client.force_login(user)
    return user


def upload(client, text=FILE, name="q1.csv"):
    data = io.BytesIO(text.encode())
    data.name = name
    html = client.post(IMPORT, {"file": data}).content.decode()
    assert "Check before you import: " + name in html, html
    return html.split('name="token" value="')[1].split('"')[0]


def test_an_upload_waits_in_the_database_with_who_what_and_a_checksum(ana, client, plan):  # noqa: F811
    token = upload(client)
    held = models.PendingUpload.objects.get()
    assert held.token == token and len(token) >= 40             # 32 random bytes, URL-safe
    assert held.uploader == ana and list(held.forces.all()) == [plan]
    assert (held.name, held.size, bytes(held.data)) == ("q1.csv", len(FILE.encode()), FILE.encode())
    assert held.sha256 == hashlib.sha256(FILE.encode()).hexdigest()
    assert models.Return.objects.count() == 0


def test_confirming_imports_it_and_deletes_it_and_a_second_confirm_is_a_404(ana, client):
    token = upload(client)
    response = client.post(IMPORT, {"token": token, "confirm": "1"})
    assert response.status_code == 302
    assert models.Return.objects.get().lines.count() == 2 and not models.PendingUpload.objects.exists()
    again = client.post(IMPORT, {"token": token, "confirm": "1"})
    assert again.status_code == 404 and "imported or cancelled already" in again.content.decode()
    assert models.Return.objects.count() == 1


def test_another_analyst_of_the_same_force_cannot_confirm_or_cancel_it(ana, client, plan):  # noqa: F811
    token = upload(client)
    colleague = make_user("bob", role="analyst", forces=[plan])
    other = client.__class__()
    other.force_login(colleague)
    assert other.post(IMPORT, {"token": token, "confirm": "1"}).status_code == 404
    other.post(IMPORT, {"token": token, "cancel": "1"})
    assert models.Return.objects.count() == 0 and models.PendingUpload.objects.count() == 1
    assert client.post(IMPORT, {"token": token, "confirm": "1"}).status_code == 302   # still the uploader's


def test_cancel_deletes_it_and_imports_nothing(ana, client):
    token = upload(client)
    response = client.post(IMPORT, {"token": token, "confirm": "1", "cancel": "1"}, follow=True)
    assert "The upload was cancelled; nothing was imported." in response.content.decode()
    assert not models.PendingUpload.objects.exists() and models.Return.objects.count() == 0
    assert client.post(IMPORT, {"token": token, "confirm": "1"}).status_code == 404


def test_after_a_day_it_cannot_be_confirmed_and_the_next_upload_deletes_it(ana, client):
    old = upload(client, name="old.csv")
    models.PendingUpload.objects.filter(token=old).update(created=timezone.now() - timedelta(hours=24, minutes=1))
    assert client.post(IMPORT, {"token": old, "confirm": "1"}).status_code == 404
    assert models.Return.objects.count() == 0
    young = upload(client, name="new.csv")
    assert list(models.PendingUpload.objects.values_list("token", flat=True)) == [young]


def test_a_file_changed_in_the_database_is_refused(ana, client):
    token = upload(client)
    models.PendingUpload.objects.filter(token=token).update(data=FILE.replace("512", "513").encode())
    with pytest.raises(ValueError, match="does not match its checksum"):
        pending.find(user=ana, token=token)


def test_uploads_stay_in_memory_up_to_the_limit_and_a_larger_one_is_refused(ana, client):
    assert settings.FILE_UPLOAD_HANDLERS == ["django.core.files.uploadhandler.MemoryFileUploadHandler"]
    assert MAX_BYTES < settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= MAX_BYTES + 1024 * 1024
    big = io.BytesIO(b"x" * (MAX_BYTES + 1024 * 1024))
    big.name = "big.csv"
    html = client.post(IMPORT, {"file": big}).content.decode()
    assert "21.0 MB is larger than the 20 MB limit; split it into smaller files" in html
    assert not models.PendingUpload.objects.exists()
