"""The import page's defaults (issue 28 item 5): the template picker opens on
the quarter to file next (as the grid and the quarter status do), not the
plan's newest quarter, and on the wide Excel template; after an upload the
analyst lands on the return's review page; step 2 describes the wide
template's columns as well as the long ones."""

import io

import pytest

from indicators import models
from tests.factories import make_user

pytestmark = pytest.mark.django_db
IMPORT = "/admin/indicators/return/import/"


@pytest.fixture
def analyst(west_mercia, client):
    user = make_user("ana", role="analyst", forces=[west_mercia])
    client.force_login(user)
    return user


def test_the_picker_opens_on_the_quarter_to_file_and_the_wide_template(analyst, client):
    html = client.get(IMPORT).content.decode()
    grid = client.get("/admin/indicators/return/grid/?force=west-mercia").content.decode()
    # West Mercia's demo holds figures to June 2013: the quarter to file is 2013/14 Q2, as the grid opens on
    assert '<option value="2013/14 Q2" selected>2013/14 Q2</option>' in html
    assert '<option value="2013/14 Q2" selected>' in grid
    assert html.count(" selected>") == 3          # force, quarter, format
    assert '<option value="west-mercia" selected>West Mercia Police</option>' in html
    assert '<option value="wide" selected>Excel, measures × months (wide)</option>' in html
    form = html.split('class="pccperf-picker"')[1].split("</form>")[0]
    assert form.index('value="wide"') < form.index('value="xlsx"') < form.index('value="csv"')


def test_step_2_describes_the_wide_and_the_long_columns(analyst, client):
    html = client.get(IMPORT).content.decode()
    step2 = html.split("2. Upload the filled-in file")[1].split("<form")[0]
    for words in ("<code>YYYY-MM value</code>", "<em>Quarter</em>", "named by its district", "<code>area</code>",
                  "<code>force,indicator,month,value,numerator,denominator,status,note</code>",
                  "plain decimal with a dot"):
        assert words in step2


def test_after_an_upload_the_analyst_lands_on_the_review_page(analyst, client):
    file = io.BytesIO(b"force,indicator,month,value,numerator,denominator,status,note\n"
                      b"west-mercia,asb,2013-07,4512,,,,\n")
    file.name = "q2.csv"
    html = client.post(IMPORT, {"file": file}).content.decode()
    token = html.split('name="token" value="')[1].split('"')[0]
    response = client.post(IMPORT, {"token": token, "confirm": "1"})
    ret = models.Return.objects.get(state="draft")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/indicators/return/{ret.pk}/review/"
    page = client.get(response["Location"])
    assert page.status_code == 200 and "1 figure from q2.csv saved as a draft in return" in page.content.decode()
