"""load_demo picks populations by the engine's rule (SPEC §4): the latest
year not after the month's calendar year, and none before the first year."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from indicators import models
from indicators.dataio import demo

pytestmark = pytest.mark.django_db


def test_demo_makes_no_msg_peer_figure_for_a_month_before_any_population_year(tmp_path, monkeypatch):
    # Populations from 2012 only: the demo's history starts in April 2010.
    lines = demo.POPULATION_FILE.read_text(encoding="utf-8").splitlines()
    trimmed = tmp_path / "population.csv"
    trimmed.write_text("\n".join([lines[0], *(line for line in lines[1:] if int(line.split(",")[0]) >= 2012)]) + "\n",
                       encoding="utf-8")
    original = demo.load_populations
    monkeypatch.setattr(demo, "load_populations", lambda: original(trimmed))

    call_command("load_demo", stdout=StringIO())

    assert models.ForcePopulation.objects.order_by("year").values_list("year", flat=True).first() == 2012
    peer_figures = models.Observation.objects.filter(note__startswith="Illustrative MSG peer")
    # Before 2012 no force has a population, so there is no rate and no peer figure
    # (the demo used to borrow the earliest year's population instead).
    assert not peer_figures.filter(month__lt=date(2012, 1, 1)).exists()
    assert peer_figures.filter(month=date(2012, 1, 1)).exists()
    # West Mercia's own history still starts in April 2010.
    assert models.Observation.objects.filter(indicator__force__slug="west-mercia",
                                             month=date(2010, 4, 1)).exists()
