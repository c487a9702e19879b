"""The permission matrix of issue 12: every role × every surface (admin
lists, change pages, history lists and versions, reverts, edits, actions,
the grid, the import, the template, the pages, the API, the CSV and the
report), in one parametrised test.

All surfaces concern West Mercia's data. The table EXPECTED below is the
contract; each cell is one of:

    login       302 to the admin's log-in page
    403         refused: permission denied
    404         refused: not found (the object is not one the user may see)
    hidden      the admin's "no such object" redirect (302, not to log in)
    all         200, shows the published figures and the drafts
    published   200, shows the published figures, no draft
    none        200, shows neither (another force's data is not listed)
    done        a write that succeeded, with its effect checked
    refused     a write answered 200/302 with a message, nothing changed

Every refused write (login, 403, 404, hidden, refused) is checked to have
changed nothing in the database; every read is checked for draft values
(DRAFT markers) where it is not "all".
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection

from indicators import models
from indicators.returns.workflow import publish_return
from tests.factories import EXAMPLE_PLAN, make_user, publish_from_review

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "panel member", "analyst of the force", "analyst of another force",
         "staff without a group", "superuser"]

#                                   anonymous  panel        analyst      other analyst staff   superuser
EXPECTED = {
    # admin lists
    "admin: return list":           ("login", "published", "all",       "none",    "403",  "all"),
    "admin: observation list":      ("login", "published", "published", "none",    "403",  "published"),
    "admin: assessment list":       ("login", "published", "published", "none",    "403",  "published"),
    "admin: commentary list":       ("login", "published", "published", "none",    "403",  "published"),
    "admin: target list":           ("login", "published", "published", "none",    "403",  "published"),
    "admin: plan list":             ("login", "published", "published", "none",    "403",  "published"),
    "admin: indicator list":        ("login", "published", "published", "none",    "403",  "published"),
    # admin change pages
    "admin: draft return":          ("login", "hidden",    "all",       "hidden",  "403",  "all"),
    "admin: published return":      ("login", "published", "published", "hidden",  "403",  "published"),
    "admin: observation":           ("login", "published", "published", "hidden",  "403",  "published"),
    "admin: commentary":            ("login", "published", "published", "hidden",  "403",  "published"),
    # history lists and versions
    "history: draft return":        ("login", "404",       "all",       "404",     "403",  "all"),
    "history: draft return v1":     ("login", "404",       "all",       "404",     "403",  "all"),
    "history: published return":    ("login", "published", "all",       "404",     "403",  "all"),
    "history: published return, draft version":     ("login", "404",       "all",       "404",     "403",  "all"),
    "history: published return, published version": ("login", "published", "published", "404",     "403",  "published"),
    "history: observation":         ("login", "published", "published", "404",     "403",  "published"),
    "history: observation v1":      ("login", "published", "published", "404",     "403",  "published"),
    "history: commentary":          ("login", "published", "published", "404",     "403",  "published"),
    "history: commentary v1":       ("login", "published", "published", "404",     "403",  "published"),
    "history: assessment":          ("login", "published", "published", "404",     "403",  "published"),
    "history: target":              ("login", "published", "published", "404",     "403",  "published"),
    # reverts (POST to a history version)
    "revert: draft return":         ("login", "404",       "403",       "404",     "403",  "done"),
    "revert: published return":     ("login", "404",       "403",       "404",     "403",  "refused"),
    "revert: observation":          ("login", "403",       "403",       "404",     "403",  "done"),
    "revert: commentary":           ("login", "403",       "403",       "404",     "403",  "done"),
    # edits
    "edit: commentary":             ("login", "403",       "done",      "hidden",  "403",  "done"),
    "add: commentary":              ("login", "403",       "done",      "refused", "403",  "done"),
    "edit: observation":            ("login", "403",       "403",       "403",     "403",  "done"),
    "edit: published return":       ("login", "403",       "403",       "hidden",  "403",  "403"),
    # actions
    "action: submit draft return":  ("login", "refused",   "done",      "refused", "403",  "done"),
    # the draft's July figure is over 3× June's: a warning, so the list's action refuses it, pointing to the review
    "action: publish draft return": ("login", "refused",   "refused",   "refused", "403",  "refused"),
    # the review page (issue 15): publishing there confirms the warning
    "review: draft return":         ("login", "404",       "all",       "404",     "403",  "all"),
    "review: published return":     ("login", "published", "published", "404",     "403",  "published"),
    "review: publish draft return": ("login", "404",       "done",      "404",     "403",  "done"),
    "review: submit draft return":  ("login", "404",       "done",      "404",     "403",  "done"),
    "quarter status":               ("login", "404",       "all",       "404",     "404",  "all"),
    "audit trail":                  ("login", "404",       "published", "404",     "404",  "published"),
    "action: delete commentary":    ("login", "refused",   "done",      "refused", "403",  "done"),
    # data entry
    "grid: view":                   ("login", "403",       "all",       "403",     "403",  "all"),
    "grid: save":                   ("login", "403",       "done",      "403",     "403",  "done"),
    "import: upload and confirm":   ("login", "403",       "done",      "refused", "403",  "done"),
    "template: download":           ("login", "403",       "all",       "404",     "403",  "all"),
    # public pages, API, CSV, report
    "page: dashboard":              ("published", "published", "all",   "published", "published", "all"),
    "page: priority":               ("published", "published", "all",   "published", "published", "all"),
    "page: indicator":              ("published", "published", "all",   "published", "published", "all"),
    "api: indicator":               ("published", "published", "all",   "published", "published", "all"),
    "api: indicator list":          ("published", "published", "all",   "published", "published", "all"),
    "csv: observations":            ("published", "published", "all",   "published", "published", "all"),
    "report: download":             ("published", "published", "all",   "published", "published", "all"),
}

PUBLISHED = [5011, 5022, 5033]          # vwi April–June 2013, published
DRAFT = 424242                          # vwi July 2013, in a draft return
HEADER = "force,indicator,month,value,numerator,denominator,status,note"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """West Mercia with a published return (made as a draft, then published),
    a draft return, commentary and an assessment; Leicestershire; one user
    per role. Built once for the module; each test rolls its changes back."""
    with django_db_blocker.unblock():
        name = str(connection.settings_dict["NAME"])
        assert name.startswith("test_") or "memory" in name, name
        from pathlib import Path
        from tempfile import TemporaryDirectory
        with TemporaryDirectory() as tmp:
            path = Path(tmp) / "plan.yaml"
            path.write_text(EXAMPLE_PLAN)
            call_command("load_plan", str(path), stdout=io.StringIO())
        wm = models.Force.objects.get(slug="west-mercia")
        leics = models.Force.objects.create(slug="leicestershire", name="Leicestershire Police")
        vwi = wm.indicators.get(code="vwi")
        users = {
            "panel member": make_user("panel", role="panel", forces=[wm]),
            "analyst of the force": make_user("analyst", role="analyst", forces=[wm]),
            "analyst of another force": make_user("other", role="analyst", forces=[leics]),
            "staff without a group": make_user("staff", forces=[wm]),
            "superuser": make_user("root", superuser=True),
        }
        users["staff without a group"].is_staff = True
        users["staff without a group"].save()
        published = models.Return.objects.create(force=wm, period="2013/14 Q1", source="p-draft-name.csv")
        for month, value in zip((4, 5, 6), PUBLISHED):
            models.ReturnLine.objects.create(source_return=published, indicator=vwi, month=date(2013, month, 1),
                                             value=value)
        published.source = "published.csv"
        published.save()
        publish_return(published, user=users["analyst of the force"])
        # Saved once in the admin: publishing wrote no history row (the Observation holds a
        # first value, docs/decisions.md), so its history now has the first value (v1) and the save.
        models.Observation.objects.get(indicator=vwi, month=date(2013, 5, 1)).save()
        draft = models.Return.objects.create(force=wm, period="2013/14 Q2", source="draft-secret.csv")
        models.ReturnLine.objects.create(source_return=draft, indicator=vwi, month=date(2013, 7, 1), value=DRAFT)
        priority = models.StrategicPriority.objects.get(plan__force=wm, number=2)
        commentary = models.Commentary.objects.create(force=wm, priority=priority, month=date(2013, 6, 1),
                                                      text="Panel commentary text")
        assessment = models.Assessment.objects.create(indicator=wm.indicators.get(code="alcohol-strategy"),
                                                      month=date(2013, 6, 1), rag="green", status_text="On track")
        yield {"wm": wm, "vwi": vwi, "users": users, "published": published, "draft": draft,
               "observation": models.Observation.objects.get(indicator=vwi, month=date(2013, 5, 1)),
               "commentary": commentary, "assessment": assessment, "priority": priority,
               "target": vwi.targets.get()}
        call_command("flush", interactive=False, verbosity=0)


def snapshot():
    """Everything a write could change."""
    return (
        list(models.Return.objects.order_by("pk").values_list("pk", "force_id", "period", "state", "source")),
        list(models.ReturnLine.objects.order_by("pk").values_list("pk", "source_return_id", "indicator_id", "value")),
        list(models.Observation.objects.order_by("pk").values_list("pk", "indicator_id", "month", "value",
                                                                   "source_return_id")),
        list(models.Commentary.objects.order_by("pk").values_list("pk", "force_id", "text")),
        list(models.Assessment.objects.order_by("pk").values_list("pk", "indicator_id", "rag")),
        models.Return.history.count(), models.Observation.history.count(), models.Commentary.history.count(),
    )


def version(obj, n):
    return obj.history.order_by("history_id")[n - 1].history_id


def hist(obj, n=None):
    base = f"/admin/indicators/{obj._meta.model_name}/{obj.pk}/history/"
    return base if n is None else f"{base}{version(obj, n)}/"


def change(obj):
    return f"/admin/indicators/{obj._meta.model_name}/{obj.pk}/change/"


def _import(client, w):
    upload = io.BytesIO((HEADER + "\nwest-mercia,vwi,2013-08,6001,,,,\n").encode())
    upload.name = "matrix.csv"
    response = client.post("/admin/indicators/return/import/", {"file": upload})
    html = response.content.decode()
    if response.status_code != 200 or 'name="token" value="' not in html:
        return response
    token = html.split('name="token" value="')[1].split('"')[0]
    return client.post("/admin/indicators/return/import/", {"token": token, "confirm": "1"})


def _commentary_form(w, text, month="2013-06-01"):
    return {"force": w["wm"].pk, "priority": w["priority"].pk, "indicator": "", "month": month, "text": text}


def _observation_form(w, value):
    return {"indicator": w["vwi"].pk, "month": "2013-05-01", "value": value, "numerator": "", "denominator": "",
            "status": "final", "note": "", "source_return": w["published"].pk}


GRID = "/admin/indicators/return/grid/?force=west-mercia&quarter=2013/14+Q2"

# surface -> (request, draft marker, published marker, effect of a "done" write)
SURFACES = {
    "admin: return list": (lambda c, w: c.get("/admin/indicators/return/"), "2013/14 Q2", "2013/14 Q1", None),
    "admin: observation list": (lambda c, w: c.get("/admin/indicators/observation/"), None, "west-mercia/vwi",
                                None),
    "admin: assessment list": (lambda c, w: c.get("/admin/indicators/assessment/"), None, "On track", None),
    "admin: commentary list": (lambda c, w: c.get("/admin/indicators/commentary/"), None, "To reduce the volume",
                               None),
    "admin: target list": (lambda c, w: c.get("/admin/indicators/target/"), None, "less 2% of 2012/13", None),
    "admin: plan list": (lambda c, w: c.get("/admin/indicators/plan/"), None, "Plan for West Mercia", None),
    "admin: indicator list": (lambda c, w: c.get("/admin/indicators/indicator/"), None, "Violent crime", None),
    "admin: draft return": (lambda c, w: c.get(change(w["draft"])), "draft-secret.csv", None, None),
    "admin: published return": (lambda c, w: c.get(change(w["published"])), "draft-secret", "published.csv",
                                None),
    "admin: observation": (lambda c, w: c.get(change(w["observation"])), None, "5022", None),
    "admin: commentary": (lambda c, w: c.get(change(w["commentary"])), None, "Panel commentary text", None),
    "history: draft return": (lambda c, w: c.get(hist(w["draft"])), "draft-secret.csv", None, None),
    "history: draft return v1": (lambda c, w: c.get(hist(w["draft"], 1)), "draft-secret.csv", None, None),
    "history: published return": (lambda c, w: c.get(hist(w["published"])), "p-draft-name.csv", "published.csv",
                                  None),
    "history: published return, draft version": (lambda c, w: c.get(hist(w["published"], 1)), "p-draft-name.csv", None, None),
    "history: published return, published version": (lambda c, w: c.get(hist(w["published"], 3)), "p-draft-name.csv",
                                      "published.csv", None),
    "history: observation": (lambda c, w: c.get(hist(w["observation"])), None, "5022", None),
    "history: observation v1": (lambda c, w: c.get(hist(w["observation"], 1)), None, "5022", None),
    "history: commentary": (lambda c, w: c.get(hist(w["commentary"])), None, None, None),
    "history: commentary v1": (lambda c, w: c.get(hist(w["commentary"], 1)), None, "Panel commentary text", None),
    "history: assessment": (lambda c, w: c.get(hist(w["assessment"])), None, None, None),
    "history: target": (lambda c, w: c.get(hist(w["target"])), None, None, None),
    "revert: draft return": (
        lambda c, w: c.post(hist(w["draft"], 1), {"force": w["wm"].pk, "period": "REVERTED"}), None, None,
        lambda w: models.Return.objects.get(pk=w["draft"].pk).period == "REVERTED"),
    "revert: published return": (
        lambda c, w: c.post(hist(w["published"], 1), {"force": w["wm"].pk, "period": "REVERTED"}), None, None,
        lambda w: False),
    "revert: observation": (
        lambda c, w: c.post(hist(w["observation"], 1), _observation_form(w, "7")), None, None,
        lambda w: models.Observation.objects.get(pk=w["observation"].pk).value == 7),
    "revert: commentary": (
        lambda c, w: c.post(hist(w["commentary"], 1), _commentary_form(w, "REVERTED")), None, None,
        lambda w: models.Commentary.objects.get(pk=w["commentary"].pk).text == "REVERTED"),
    "edit: commentary": (
        lambda c, w: c.post(change(w["commentary"]), _commentary_form(w, "EDITED")), None, None,
        lambda w: models.Commentary.objects.get(pk=w["commentary"].pk).text == "EDITED"),
    "add: commentary": (
        lambda c, w: c.post("/admin/indicators/commentary/add/", _commentary_form(w, "NEW", "2013-05-01")),
        None, None, lambda w: models.Commentary.objects.filter(text="NEW", force=w["wm"]).exists()),
    "edit: observation": (
        lambda c, w: c.post(change(w["observation"]), _observation_form(w, "8")), None, None,
        lambda w: models.Observation.objects.get(pk=w["observation"].pk).value == 8),
    "edit: published return": (
        lambda c, w: c.post(change(w["published"]), {"force": w["wm"].pk, "period": "EDITED"}), None, None,
        lambda w: False),
    "action: submit draft return": (
        lambda c, w: c.post("/admin/indicators/return/", {"action": "submit_returns",
                                                           "_selected_action": [w["draft"].pk]}), None, None,
        lambda w: models.Return.objects.get(pk=w["draft"].pk).state == "submitted"),
    "action: publish draft return": (
        lambda c, w: c.post("/admin/indicators/return/", {"action": "publish_returns",
                                                           "_selected_action": [w["draft"].pk]}), None, None,
        lambda w: models.Observation.objects.get(indicator=w["vwi"], month=date(2013, 7, 1)).value == DRAFT),
    "review: draft return": (lambda c, w: c.get(f"/admin/indicators/return/{w['draft'].pk}/review/"),
                             "424,242", None, None),
    "review: published return": (lambda c, w: c.get(f"/admin/indicators/return/{w['published'].pk}/review/"),
                                 "424,242", "5011", None),
    "review: publish draft return": (
        lambda c, w: publish_from_review(c, w["draft"].pk), None, None,
        lambda w: models.Observation.objects.get(indicator=w["vwi"], month=date(2013, 7, 1)).value == DRAFT),
    "review: submit draft return": (
        lambda c, w: c.post(f"/admin/indicators/return/{w['draft'].pk}/review/", {"do": "submit"}), None, None,
        lambda w: models.Return.objects.get(pk=w["draft"].pk).state == "submitted"),
    "quarter status": (lambda c, w: c.get("/admin/indicators/return/status/?force=west-mercia&quarter=2013/14+Q2"),
                       "424,242", None, None),
    "audit trail": (lambda c, w: c.get("/admin/indicators/return/audit/?force=west-mercia"), "424,242", "5011",
                    None),
    "action: delete commentary": (
        lambda c, w: c.post("/admin/indicators/commentary/", {"action": "delete_selected", "post": "yes",
                                                               "_selected_action": [w["commentary"].pk]}),
        None, None, lambda w: not models.Commentary.objects.exists()),
    "grid: view": (lambda c, w: c.get(GRID), str(DRAFT), None, None),
    "grid: save": (
        lambda c, w: c.post(GRID, {f"value-{w['vwi'].pk}-2013-08": "6002"}), None, None,
        lambda w: models.ReturnLine.objects.filter(value=6002, source_return__force=w["wm"]).exists()),
    "import: upload and confirm": (
        _import, None, None,
        lambda w: models.ReturnLine.objects.filter(value=6001, source_return__source="matrix.csv").exists()),
    "template: download": (
        lambda c, w: c.get("/admin/indicators/return/template/?force=west-mercia&quarter=2013/14+Q2"),
        str(DRAFT), None, None),
    "page: dashboard": (lambda c, w: c.get("/west-mercia/?period=2013-07"), "banner-draft", None, None),
    "page: priority": (lambda c, w: c.get("/west-mercia/priorities/2/?period=2013-07"), "banner-draft", None,
                       None),
    "page: indicator": (lambda c, w: c.get("/west-mercia/indicators/vwi/?period=2013-07"), str(DRAFT), "5022",
                        None),
    "api: indicator": (lambda c, w: c.get("/api/forces/west-mercia/indicators/vwi/?period=2013-07"), str(DRAFT),
                       "5022", None),
    "api: indicator list": (lambda c, w: c.get("/api/forces/west-mercia/indicators/?period=2013-07"),
                            str(sum(PUBLISHED) + DRAFT), None, None),
    "csv: observations": (lambda c, w: c.get("/api/forces/west-mercia/observations.csv"), str(DRAFT), "5022",
                          None),
    "report: download": (lambda c, w: c.get("/west-mercia/report/?period=2013-07&mode=full&download=1"),
                         "DRAFT: includes", None, None),
}

CASES = [(surface, role) for surface in EXPECTED for role in ROLES]


def test_the_table_covers_every_surface():
    assert set(EXPECTED) == set(SURFACES) and all(len(row) == len(ROLES) for row in EXPECTED.values())


@pytest.mark.parametrize(("surface", "role"), CASES, ids=[f"{s} | {r}" for s, r in CASES])
def test_permission_matrix(world, client, surface, role):
    expected = EXPECTED[surface][ROLES.index(role)]
    request, draft_marker, published_marker, effect = SURFACES[surface]
    if role != "anonymous":
        client.force_login(world["users"][role])
    before = snapshot()
    response = request(client, world)
    status = response.status_code
    body = response.content.decode(errors="replace").replace(",", "")
    location = response.get("Location", "")
    assert status != 500
    if expected == "done":
        assert status in (200, 302) and effect(world), (status, body[:2000])
        return
    if effect is not None or expected in ("refused",):
        assert snapshot() == before, "a refused write changed the database"
    if expected == "login":
        assert status == 302 and location.startswith("/admin/login/")
    elif expected == "hidden":
        assert status == 302 and not location.startswith("/admin/login/")
    elif expected in ("403", "404"):
        assert status == int(expected)
    elif expected == "refused":
        assert status in (200, 302)
    else:
        assert status == 200, status
        if draft_marker is not None:
            assert (draft_marker.replace(",", "") in body) == (expected == "all"), "draft shown or missing"
        if published_marker is not None:
            assert (published_marker in body) == (expected != "none"), "published data shown or missing"
    if draft_marker is not None and expected != "all":
        assert draft_marker.replace(",", "") not in body
