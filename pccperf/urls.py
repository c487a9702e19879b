from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico whatever the page links; send them to the
    SVG icon whitenoise serves (its hashed name in production)."""
    permanent = False   # the hashed name changes when the icon does

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.svg")


urlpatterns = [
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("admin/", admin.site.urls),
]
# Pages in English at their addresses as ever, and in Welsh under /cy/ (issue 31; pccperf/language.py).
# The API shares the "reports" namespace, so it is inside too: LanguageMiddleware answers /cy/api/… 404.
urlpatterns += i18n_patterns(path("", include("reports.urls")), prefix_default_language=False)
