"""Which language a request is answered in (issue 31; docs/decisions.md, "Cymraeg").

Django's LocaleMiddleware would let every page follow the browser's
Accept-Language; pccperf must not: English pages stay English at their
addresses, and only a force whose plan file says ``languages: [cy, en]``
has Welsh pages. So the rule is written here:

* The language is the URL's: ``/cy/…`` is Welsh (pages only: the API, the
  admin and /healthz have no prefix), any other address English
  (``i18n_patterns(prefix_default_language=False)`` in pccperf/urls.py).
* A first visit to an English page of a bilingual force, from a browser
  that prefers Welsh to English, is redirected to the Welsh page; the
  redirect sets the language cookie, so a reader who then follows the
  switch to English is never sent back. Nothing else reads Accept-Language.
* ``/cy/`` in front of the API answers 404: the API is not translated.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.urls import translate_url
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header

from indicators.plans.bilingual import WELSH
from reports import welsh

ENGLISH = settings.LANGUAGE_CODE


def prefers_welsh(request) -> bool:
    """Whether the browser's Accept-Language ranks Welsh above English."""
    for code, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        code = code.lower()
        if code == WELSH or code.startswith(WELSH + "-"):
            return True
        if code == "en" or code.startswith("en-") or code == "*":
            return False
    return False


class LanguageMiddleware:
    """Activates the URL's language (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = translation.get_language_from_path(request.path_info) or ENGLISH
        # for this request only: the thread's language is put back after it (a Welsh request must not
        # leave Welsh active for whatever the thread does next, a test or a command)
        with translation.override(language):
            request.LANGUAGE_CODE = translation.get_language()
            welsh.reset()
            response = self.get_response(request)
        if language == WELSH:
            response.headers.setdefault("Content-Language", WELSH)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if request.LANGUAGE_CODE == WELSH and match and (match.url_name or "").startswith("api-"):
            raise Http404("The API is not translated; its address has no language prefix.")
        slug = view_kwargs.get("force_slug")
        if (slug and request.LANGUAGE_CODE != WELSH and request.method in ("GET", "HEAD")
                and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and prefers_welsh(request)):
            from indicators.models import Force

            languages = Force.objects.filter(slug=slug).values_list("languages", flat=True).first()
            if languages and WELSH in languages:
                response = HttpResponseRedirect(translate_url(request.get_full_path(), WELSH))
                response.set_cookie(settings.LANGUAGE_COOKIE_NAME, WELSH, max_age=settings.LANGUAGE_COOKIE_AGE,
                                    samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
                patch_vary_headers(response, ("Accept-Language", "Cookie"))
                return response
        return None


def switch_links(request, force) -> list[dict]:
    """The language switch of a page: a link to the same page and period in
    the other language, for a force published in Welsh and English (and on
    the Welsh home page). Empty for any other page."""
    path = request.get_full_path()
    current = translation.get_language()
    bilingual = force is not None and WELSH in (force.languages or [])
    if not bilingual and not (force is None and current == WELSH):
        return []
    links = []
    for code, label, lang in ((WELSH, "Cymraeg", "cy"), (ENGLISH, "English", "en")):
        links.append({"code": code, "label": label, "lang": lang, "current": code == current,
                      "url": translate_url(path, code)})
    return links


def context(request) -> dict:
    """Template context: the document's ``lang`` and the language switch."""
    force = getattr(request, "pccperf_force", None)
    welsh_page = translation.get_language() == WELSH
    return {"html_lang": "cy" if welsh_page else "en-GB",
            "language_switch": switch_links(request, force) if force is not None or welsh_page else []}
