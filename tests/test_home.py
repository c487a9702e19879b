import pytest

pytestmark = pytest.mark.django_db


def test_home_lists_the_demo_forces_and_plans(client, demo):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in ["West Mercia Police", "Leicestershire Police", "Essex Police",
                 "Police and Crime Plan for West Mercia 2013-2017", "Demo data, partly illustrative"]:
        assert name in html
    assert "4 aims" in html and "4 themes" in html and "8 areas of focus" in html


def test_admin_lists_observations_for_a_superuser(client, django_user_model, demo):
    admin = django_user_model.objects.create_superuser("admin", "a@example.org", "pw")
    client.force_login(admin)
    for url in ["/admin/indicators/observation/?q=vwi", "/admin/indicators/indicator/?q=burglary",
                "/admin/indicators/plan/", "/admin/indicators/target/", "/admin/indicators/panelmeeting/",
                "/admin/indicators/assessment/", "/admin/indicators/commentary/", "/admin/indicators/return/"]:
        assert client.get(url).status_code == 200, url
