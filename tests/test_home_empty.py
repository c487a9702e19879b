import pytest

pytestmark = pytest.mark.django_db


def test_home_without_plans_says_how_to_load_one(client):
    response = client.get("/")
    assert "No plans have been loaded yet" in response.content.decode()
