"""Pages: request -> selector -> engine -> template."""

from django.shortcuts import render

from indicators import selectors


def home(request):
    return render(request, "reports/home.html", {"plans": selectors.plan_list()})
