"""The public data pages (no login): countries, a location's charts, provenance, downloads, dictionary."""

from typing import Any

from csp.decorators import csp_replace
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from places.models import Location, Metric

from . import citation, ended, errata, selectors, vintages
from .exports import publish
from .exports.schema import (
    DATAPACKAGE_DESCRIPTOR,
    DATAPACKAGE_NAME,
    FORMAT_DESCRIPTIONS,
    JHU_DICTIONARY,
    PARQUET_DICTIONARY,
    PARQUET_NAME,
    TIDY_DICTIONARY,
    TIDY_NAME,
)
from .forms import CountrySearchForm, ProvenanceFilterForm
from .models import Release, ReleaseFile

PROVENANCE_PAGE_SIZE = 50
# Every release's files have one (dataset/citation.py): served made from the release, the same bytes
# as the file in the package (whose SHA-256 is listed), even for a release whose files were not kept.
CITATION_FILE = citation.CITATION_NAME
EXPLORER_DEFAULT_PLACES = 3  # a first visit compares the countries with the most confirmed cases
RELEASES_PAGE_SIZE = 20


def describe_file(release_file: ReleaseFile) -> str:
    if release_file.name == DATAPACKAGE_NAME:
        return DATAPACKAGE_DESCRIPTOR
    return FORMAT_DESCRIPTIONS.get(release_file.format, release_file.format)


def _location_or_none(key: str) -> Location | None:
    if "\x00" in key:  # PostgreSQL refuses NUL in a query: such a key cannot exist
        return None
    return Location.objects.select_related("parent").filter(key=key).first()


def _location_not_found(request, key: str):
    """A 404 that helps: places whose name, alias or key looks like what was asked for."""
    wanted = key.replace("\x00", "").replace("_", " ")[:100]
    suggestions = selectors.search_locations(Location.objects.all(), wanted)[:10]
    return render(request, "dataset/location_not_found.html", {"key": key, "suggestions": suggestions}, status=404)


@require_safe
def countries(request):
    sorts = selectors.valid_country_sorts(Metric.objects.all())
    form = CountrySearchForm(request.GET or None, sorts=sorts)
    search, sort = "", selectors.DEFAULT_COUNTRY_SORT
    if form.is_bound and form.is_valid():
        search = form.cleaned_data["q"]
        sort = form.cleaned_data["sort"] or sort
    index = selectors.country_index(search=search, sort=sort)
    context = {
        "form": form,
        "search": search,
        "index": index,
        "page_obj": selectors.country_page(index, request.GET.get("page")),
        "special_places": selectors.special_places_with_data(),
    }
    return render(request, "dataset/countries.html", context)


@require_safe
def location(request, key: str):
    place = _location_or_none(key)
    if place is None:
        canonical = None
        if "\x00" not in key:  # a NUL is a mistake to report (404), not one to correct
            canonical = Location.objects.filter(key__iexact=key).values_list("key", flat=True).first()
        if canonical:
            return redirect("dataset:location", key=canonical, permanent=True)
        return _location_not_found(request, key)
    vintage, vintage_error = _requested_release(request)
    data = selectors.location_page_data(place)  # per release (computed by the release's warming)
    series = vintages.location_series(place, vintage) if vintage else data["series"]
    with_regions = any(s.summed_regions for s in series)
    same = with_regions == data["with_regions"]  # a past release may have summed regions, or not
    place_errata = errata.for_location(place)
    context = {
        "errata": place_errata,
        "errata_markers": errata.chart_markers(place_errata),
        "can_add_erratum": errata.may_edit(request.user, place),
        "vintage": vintage,
        "vintage_error": vintage_error,
        "release_choices": Release.objects.order_by("-number").values_list("number", "created_at")[:200],
        "location": place,
        "ancestors": selectors.breadcrumbs(place),
        "series": series,
        "chart_data": {
            "location": place.name,
            "release": (vintage or selectors.latest_release() or Release(number=0)).number,
            "series": [s.as_json() for s in series] if vintage else data["charts"],
        },
        "subregions": data["subregions"],
        "sources": selectors.location_sources(
            place, include_regions=with_regions, counts=data["source_counts"] if same else None
        ),
        "last_change": data["last_change"] if same else selectors.last_change(place, include_regions=with_regions),
        "latest_release": selectors.latest_release(),
        "ended_version": ended.version(),
    }
    return render(request, "dataset/location.html", context)


def _requested_release(request):
    """The "view as of release" selector: (release, None), (None, None) for the latest, or an error."""
    wanted = request.GET.get("release", "").strip()
    if not wanted:
        return None, None
    if wanted.isascii() and wanted.isdigit() and len(wanted) < 10:
        release = Release.objects.filter(number=int(wanted)).first()
        if release is not None:
            return (None, None) if release == selectors.latest_release() else (release, None)
    return None, _("There is no release %(release)s; showing the latest values.") % {"release": wanted[:20]}


@require_safe
def provenance(request, key: str, metric: str):
    place = _location_or_none(key)
    if place is None:
        return _location_not_found(request, key)
    metric_obj = None if "\x00" in metric else Metric.objects.filter(code=metric).first()
    if metric_obj is None:
        raise Http404(f"No metric called {metric!r}")
    form = ProvenanceFilterForm(request.GET or None)
    on = form.cleaned_data["on"] if form.is_bound and form.is_valid() else None
    values, history = selectors.provenance(place, metric_obj, on=on)
    context: dict[str, Any] = {
        "location": place,
        "metric": metric_obj,
        "form": form,
        "values_page": Paginator(values, PROVENANCE_PAGE_SIZE).get_page(request.GET.get("page")),
        "history_page": Paginator(history, PROVENANCE_PAGE_SIZE).get_page(request.GET.get("history_page")),
    }
    if not context["values_page"].object_list and on is None:
        context["regions"] = selectors.regions_with_metric(place, metric_obj)
    return render(request, "dataset/provenance.html", context)


@require_safe
def downloads(request):
    latest = selectors.latest_release()
    # Exports are built for the latest release only, a little after it is published: until then
    # the newest files are those of the newest release that has some.
    files_of = latest if latest is not None and latest.files.exists() else selectors.release_with_files()
    files = list(files_of.files.all()) if files_of else []
    for release_file in files:
        release_file.description = describe_file(release_file)  # type: ignore[attr-defined]
    earlier = Paginator(selectors.earlier_releases(latest), RELEASES_PAGE_SIZE).get_page(request.GET.get("page"))
    for release in earlier:
        # Files that retention removed are rebuilt on demand (export_dataset --release N).
        release.file_list = list(release.files.all())
        for release_file in release.file_list:
            release_file.description = describe_file(release_file)
            release_file.on_demand = not publish.downloadable(release_file, latest=latest.number if latest else None)
    index = selectors.country_index()
    context = {
        "latest": latest,
        "citation": _citations(latest) if latest else None,
        "countries": [row.location for row in index.rows],
        "metrics": index.metrics,
        "files_of": files_of,
        "files": files,
        # The Parquet and JHU files follow the others by a minute or so (dataset.tasks.finish_exports).
        "files_being_written": bool(files) and files_of == latest and not any(f.format == "parquet" for f in files),
        "earlier": earlier,
        "keep_last": settings.EXPORTS_KEEP_LAST,
        "keep_every": settings.EXPORTS_KEEP_EVERY,
    }
    return render(request, "dataset/downloads.html", context)


def _citations(release: Release) -> dict:
    return {"plain": citation.plain(release), "bibtex": citation.bibtex(release)}


@require_safe
def download_file(request, number: int, name: str):
    if name == CITATION_FILE:
        release = Release.objects.filter(number=number).first()
        if release is None:
            raise Http404("No such release")
        response = HttpResponse(citation.citation_cff(release), content_type="text/yaml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{CITATION_FILE}"'
        return response
    release_file = None if "\x00" in name else ReleaseFile.objects.filter(release__number=number, name=name).first()
    if release_file is None:
        raise Http404("No such export file")
    return publish.download(release_file)  # a signed link to the store, or streamed from this disk


@require_safe
def dictionary(request):
    context = {
        "metrics": Metric.objects.all(),
        "tidy_columns": TIDY_DICTIONARY,
        "jhu_columns": JHU_DICTIONARY,
        "parquet_columns": PARQUET_DICTIONARY,
        "tidy_file": TIDY_NAME,
        "parquet_file": PARQUET_NAME,
    }
    return render(request, "dataset/dictionary.html", context)


def _explorer_context() -> dict:
    """What the explorer needs from the server: the latest release (for its source line) and default
    places; everything else it reads from the public API."""
    index = selectors.country_index(sort="-confirmed")
    return {
        "release_number": selectors.latest_release_number() or 0,
        "default_places": ",".join(row.key for row in index.rows[:EXPLORER_DEFAULT_PLACES]),
        "metrics": Metric.objects.all(),
    }


@require_safe
def explorer(request):
    return render(request, "dataset/explorer.html", _explorer_context())


@require_safe
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
def embed(request):
    """The explorer's chart alone, with its attribution, for other sites' iframes (any site may frame it)."""
    return render(request, "dataset/embed.html", _explorer_context())
