"""The page cache is keyed by force (issue 27, item 7): one force publishing
leaves every other force's cached pages in place, while its own pages and
those of the forces that read its figures (it is their MSG peer) are
rendered afresh; pages of no force (home) change with any force's data."""

import io

import pytest
from django.core.management import call_command

from indicators import models, versioning

pytestmark = pytest.mark.django_db
HEADER = "force,indicator,month,value,numerator,denominator,status,note"


@pytest.fixture
def publish(tmp_path):
    def run(text):
        path = tmp_path / "r.csv"
        path.write_text(f"{HEADER}\n{text}", encoding="utf-8")
        call_command("import_return", str(path), "--publish", "--accept-warnings", stdout=io.StringIO(),
                     stderr=io.StringIO())
    return run


def test_one_force_publishing_leaves_the_others_cached_pages_in_place(demo, client, publish,
                                                                      django_assert_num_queries):
    essex_peers = set(models.Force.objects.get(slug="essex").msg_peers.values_list("slug", flat=True))
    assert "west-mercia" not in essex_peers and "leicestershire" in essex_peers
    pages = {url: client.get(url).content for url in ("/essex/", "/essex/priorities/1/", "/west-mercia/", "/")}

    publish("west-mercia,asb,2013-07,4700,,,final,\n")

    for url in ("/essex/", "/essex/priorities/1/"):
        with django_assert_num_queries(1):                     # the versions only: served from the cache
            assert client.get(url).content == pages[url]
    assert b'value="2013-07"' in client.get("/west-mercia/").content       # West Mercia's own page moves on
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    with CaptureQueriesContext(connection) as home:
        client.get("/")
    assert len(home) > 1                                          # the home page shows every force: rendered afresh

    # a peer's publish reaches the pages that read its figures
    publish("leicestershire,all-crime,2014-07,5000,,,final,\n")
    with django_assert_num_queries(1):
        client.get("/west-mercia/")                              # not Leicestershire's reader: still cached
    fresh = client.get("/essex/")
    assert fresh.status_code == 200
    with django_assert_num_queries(1):
        assert client.get("/essex/").content == fresh.content     # and cached again under the new versions


def test_a_page_is_never_served_from_before_its_force_changed(demo, client, publish):
    before = client.get("/api/forces/west-mercia/indicators/asb/?period=2013-07")
    publish("west-mercia,asb,2013-07,4700,,,final,\n")
    after = client.get("/api/forces/west-mercia/indicators/asb/?period=2013-07").json()
    assert before.json()["ytd"] != after["ytd"]
    assert any(m["month"] == "2013-07" and m["value"] == 4700 for m in after["monthly"])


def test_a_force_named_as_a_benchmark_reaches_the_pages_that_compare_with_it(demo, client, publish,
                                                                             django_assert_num_queries):
    wm_peers = set(models.Force.objects.get(slug="west-mercia").msg_peers.values_list("slug", flat=True))
    assert "essex" not in wm_peers
    client.get("/west-mercia/")
    publish("essex,all-crime,2014-07,8000,,,final,\n")
    with django_assert_num_queries(1):
        client.get("/west-mercia/")                             # Essex is nothing to West Mercia: still cached
    models.Indicator.objects.filter(force__slug="west-mercia", code="asb").update(benchmarks=["essex"])
    client.get("/west-mercia/")                                 # (no signal for update(): cached under the same key)
    versioning.bump()                                           # (as a plan load would)
    client.get("/west-mercia/")
    publish("essex,all-crime,2014-08,8100,,,final,\n")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    with CaptureQueriesContext(connection) as queries:
        client.get("/west-mercia/")
    assert len(queries) > 1                                     # now a benchmark of a West Mercia measure


def test_a_readers_page_says_whether_it_came_from_the_cache(demo, client, publish):
    assert client.get("/essex/")["X-Cache"] == "miss"
    assert client.get("/essex/")["X-Cache"] == "hit"          # bench/bench_cache_share.py counts these
    publish("essex,all-crime,2014-07,8000,,,final,\n")
    assert client.get("/essex/")["X-Cache"] == "miss"
