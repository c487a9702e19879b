"""Plain helpers that build test data; exposed as fixtures in conftest.py."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from indicators import models

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def skip_unless_shared(path: Path, why: str, *, module: bool = False) -> None:
    """Skip a test whose fixture in ../shared is missing on a developer's
    machine; in CI (env CI set) a missing fixture fails instead of skipping silently."""
    import os

    import pytest

    if path.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{why} (CI must have it: {path})", pytrace=False)
    pytest.skip(why, allow_module_level=module)


def make_force(**overrides) -> models.Force:
    values = {"slug": "west-mercia", "name": "West Mercia Police"} | overrides
    return models.Force.objects.create(**values)


def make_indicator(force: models.Force | None = None, **overrides) -> models.Indicator:
    force = force or make_force()
    values = {"code": "vwi", "name": "Violent crime with injury", "unit": "count",
              "aggregation": "sum", "polarity": "down"} | overrides
    return models.Indicator.objects.create(force=force, **values)


def make_return(force: models.Force, **overrides) -> models.Return:
    values = {"period": "2013/14 Q1", "state": models.ReturnState.PUBLISHED} | overrides
    return models.Return.objects.create(force=force, **values)


def make_observation(indicator: models.Indicator, month: date, value: float | None, **overrides) -> models.Observation:
    return models.Observation.objects.create(indicator=indicator, month=month, value=value, **overrides)


EXAMPLE_PLAN = """\
force:
  slug: west-mercia
  name: West Mercia Police
  population: {2012: 1180000, 2013: 1187000}
  msg_peers: [avon-and-somerset, devon-and-cornwall]
peers:
  - {slug: avon-and-somerset, name: Avon and Somerset Constabulary, population: {2013: 1660000}}
  - {slug: devon-and-cornwall, name: Devon and Cornwall Police, population: {2013: 1700000}}
plan:
  title: Police and Crime Plan for West Mercia 2013-2017
  start: 2013-04-01
  end: 2017-03-31
  area_label: Aim
  areas:
    - number: 2
      title: Reduce crime and disorder
      priorities:
        - number: 2
          title: To reduce the volume of violent crime, addressing the harm caused by alcohol
          indicators:
            - code: vwi
              name: Violent crime with injury
              unit: count
              aggregation: sum
              polarity: down
              headline: true
              msg: true
              source: Force crime recording system
              targets:
                2013/14: {kind: change, value: -2, wording: "less 2% of 2012/13 outturn"}
            - code: vwi-solved
              name: Solved rate for violent crime with injury
              unit: percent
              aggregation: ratio
              polarity: up
              headline: true
              targets:
                2013/14: {kind: absolute, value: 53, tolerance: 5, wording: "53%"}
            - code: alcohol-strategy
              name: Joint strategy with partners on alcohol-related violence
              unit: number
              aggregation: latest
              polarity: neutral
              targets:
                2013/14: {kind: milestone, due: 2014-03-31, wording: "Monitor outcome"}
"""


def make_user(username: str, *, role: str | None = None, forces=(), superuser: bool = False):
    """A user in the "OPCC analyst" or "Panel member" group, member of ``forces``."""
    from django.contrib.auth.models import Group, User

    from indicators.access.roles import ANALYST, PANEL

    if superuser:
        return User.objects.create_superuser(username, f"{username}@example.org", "pw")
    user = User.objects.create_user(username, f"{username}@example.org", "pw", is_staff=role is not None)
    if role:
        user.groups.add(Group.objects.get(name={"analyst": ANALYST, "panel": PANEL}[role]))
    for force in forces:
        models.ForceMembership.objects.create(user=user, force=force)
    return user


def run_import(path, *args) -> str:
    """``import_return PATH ARGS``; what it printed."""
    import io

    from django.core.management import call_command
    out = io.StringIO()
    call_command("import_return", str(path), *args, stdout=out)
    return out.getvalue()


def publish_from_review(client, ret_pk: int):
    """Publish a return from its review page as an analyst does: the figures
    the page lists for the one tick (returns/confirmation.py), ticked."""
    import re

    url = f"/admin/indicators/return/{ret_pk}/review/"
    listed = re.findall(r'name="checked_figure" value="([^"]+)"', client.get(url).content.decode())
    return client.post(url, {"do": "publish", "checked": "1", "checked_figure": listed})
