from django.urls import path

from reports import api, api_v1, area_views, views

app_name = "reports"

# /healthz is answered by pccperf.health.HealthzFirst, before any other middleware.
urlpatterns = [
    path("", views.home, name="home"),
    # The API (SPEC §4, issue 30): version 1 at /api/v1/, routed and described by django-ninja
    # (reports/api_v1.py); the paths below it without v1 are its permanent aliases.
    path("api/v1/", api_v1.api.urls),
    path("api/schema/", api_v1.schema_view, name="api-schema"),
    path("api/docs/", api_v1.docs_view, name="api-docs"),
    path("api/v1/schema/", api_v1.schema_view),
    path("api/v1/docs/", api_v1.docs_view),
    path("api/forces/", api.force_list, name="api-force-list"),
    path("api/forces/<slug:force>/", api.force_detail, name="api-force-detail"),
    path("api/forces/<slug:force>/observations.json", api.observations_json, name="api-observations-json"),
    path("api/forces/<slug:force>/indicators/", api.indicator_list, name="api-indicator-list"),
    path("api/forces/<slug:force>/indicators/<slug:code>/", api.indicator_detail, name="api-indicator-detail"),
    path("api/forces/<slug:force>/indicators/<slug:code>/areas/", area_views.indicator_areas,
         name="api-indicator-areas"),
    path("api/forces/<slug:force>/observations.csv", api.observations_csv, name="api-observations-csv"),
    path("<slug:force_slug>/", views.force_dashboard, name="force-dashboard"),
    path("<slug:force_slug>/priorities/<int:number>/", views.priority_detail, name="priority"),
    path("<slug:force_slug>/indicators/<slug:code>/", views.indicator_detail, name="indicator"),
    path("<slug:force_slug>/report/", views.panel_report, name="report"),
    path("<slug:force_slug>/areas/", area_views.local_areas, name="local-areas"),
    path("<slug:force_slug>/areas/<slug:code>/", area_views.local_area, name="local-area"),
]
