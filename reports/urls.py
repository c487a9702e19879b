from django.urls import path

from reports import api, area_views, views

app_name = "reports"

# /healthz is answered by pccperf.health.HealthzFirst, before any other middleware.
urlpatterns = [
    path("", views.home, name="home"),
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
