from django.urls import path

from reports import api, views

app_name = "reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("api/forces/<slug:force>/indicators/", api.indicator_list, name="api-indicator-list"),
    path("api/forces/<slug:force>/indicators/<slug:code>/", api.indicator_detail, name="api-indicator-detail"),
    path("api/forces/<slug:force>/observations.csv", api.observations_csv, name="api-observations-csv"),
]
