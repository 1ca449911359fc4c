"""Pages of the sources registry: the filterable list.

A source's page (with its uploads and proposals) and proposing a source show submissions, so
they are contributions.views; contributions.source_urls mounts all three under /sources/.
"""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from places.models import Location

from .filters import SourceListFilter
from .visibility import visible_sources, visible_statuses

PAGE_SIZE = 50


def source_list(request: HttpRequest) -> HttpResponse:
    sources = visible_sources(request.user)
    countries = Location.objects.filter(pk__in=sources.exclude(country=None).values("country")).order_by("name")
    source_filter = SourceListFilter(
        request.GET or None, sources, countries=countries, statuses=visible_statuses(request.user)
    )
    filtered = source_filter.qs.select_related("country", "subregion").prefetch_related("metrics")
    page = Paginator(filtered.order_by("-priority", "name"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "sources/list.html",
        {
            "form": source_filter.form,
            "page": page,
            "query": query.urlencode(),
            "total": page.paginator.count,
        },
    )
