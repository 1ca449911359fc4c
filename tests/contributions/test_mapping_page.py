"""The mapping page as a volunteer uses it: upload a file, open the page, answer, and the file is
checked again with the answers (tasks run inline in tests)."""

import re

import pytest
from django.urls import reverse

from contributions.models import Submission
from tests.sources.factories import SourceFactory

from .test_mapping_form import answers, workbook
from .test_uploads import italy_source, upload  # noqa: F401  (a fixture)

UNKNOWN_PLACES = (
    b"data,denominazione_regione,totale_casi\n"
    b"2020-03-01,Lombardi,1694\n"
    b"2020-03-02,Lombardi,2036\n"
    b"2020-03-01,Atlantis,5\n"
    b"2020-03-01,Veneto,263\n"
    b"2020-03-02,Veneto,273\n"
)


@pytest.fixture
def volunteer(make_user):
    return make_user("giulia@example.org", countries=("IT",))


@pytest.fixture
def uploaded(client, volunteer, italy_source, django_capture_on_commit_callbacks):  # noqa: F811
    """upload(content): the volunteer's upload, checked; the submission."""

    def send(content=UNKNOWN_PLACES, name="regioni.csv"):
        client.force_login(volunteer)
        with django_capture_on_commit_callbacks(execute=True):
            response = upload(client, italy_source, content=content, name=name)
        assert response.status_code == 302
        return Submission.objects.latest("pk")

    return send


def mapping_url(submission):
    return reverse("contributions:mapping", args=[submission.pk])


def place_field(form, text):
    index = next(i for i, place in enumerate(form.places) if place.text == text)
    return f"place_{index}"


def save(client, submission, django_capture_on_commit_callbacks, **changes):
    """Open the page, send its answers with `changes`, follow back to the submission."""
    form = client.get(mapping_url(submission)).context["form"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(mapping_url(submission), answers(form, **changes))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    submission.refresh_from_db()
    return response


@pytest.mark.django_db
def test_a_volunteer_maps_unknown_places_and_the_file_is_checked_again(
    client, uploaded, django_capture_on_commit_callbacks
):
    submission = uploaded()
    assert submission.status == Submission.Status.INVALID
    page = client.get(mapping_url(submission))
    html = page.content.decode()
    assert "“Lombardi”" in html
    assert "“Atlantis”" in html
    assert "Lombardia (IT_25), in Italy" in html
    assert "Leave out (2 rows)" in html
    assert 'data-place-search="/api/v1/locations/"' in html
    form = page.context["form"]

    response = save(
        client,
        submission,
        django_capture_on_commit_callbacks,
        **{place_field(form, "Lombardi"): "IT_25", place_field(form, "Atlantis"): "leave"},
    )

    assert response["Location"] == submission.get_absolute_url()
    assert submission.mapping["locations"] == {"Lombardi": "IT_25", "Atlantis": ""}
    assert submission.version == 2
    assert submission.status == Submission.Status.AWAITING_REVIEW, submission.report["problems"]
    assert submission.row_count == 4  # Atlantis's row is left out


@pytest.mark.django_db
def test_a_place_found_with_the_search_is_saved_by_its_key(client, uploaded, django_capture_on_commit_callbacks):
    submission = uploaded()
    form = client.get(mapping_url(submission)).context["form"]
    # What the page's search asks and shows: the public locations API.
    found = client.get("/api/v1/locations/", {"search": "Sardegna", "page_size": 8}).json()["results"]
    sardinia = next(place for place in found if place["key"] == "IT_88")
    assert sardinia["name"]
    assert sardinia["parent"] == "IT"

    save(
        client,
        submission,
        django_capture_on_commit_callbacks,
        **{place_field(form, "Lombardi"): "other", f"{place_field(form, 'Lombardi')}_key": sardinia["key"]},
        leave_out_rest="on",
    )

    assert submission.mapping["locations"] == {"Lombardi": "IT_88", "Atlantis": ""}
    assert submission.status == Submission.Status.AWAITING_REVIEW, submission.report["problems"]


@pytest.mark.django_db
def test_a_wrong_answer_keeps_the_page_with_the_error_and_saves_nothing(client, uploaded):
    submission = uploaded()
    form = client.get(mapping_url(submission)).context["form"]
    lombardi = place_field(form, "Lombardi")

    response = client.post(mapping_url(submission), answers(form, **{lombardi: "other", f"{lombardi}_key": "XX_99"}))

    assert response.status_code == 200
    assert "No place has the key &#x27;XX_99&#x27;; search for the place." in response.content.decode()
    submission.refresh_from_db()
    assert submission.version == 1
    assert "locations" not in submission.mapping


@pytest.mark.django_db
def test_the_page_offers_every_unknown_name(client, uploaded):
    rows = "".join(f"2020-03-01,Località {n},{n}\n" for n in range(120))
    submission = uploaded(("data,denominazione_regione,totale_casi\n" + rows).encode())

    html = client.get(mapping_url(submission)).content.decode()

    names = set(re.findall(r"“(Località \d+)”", html))
    assert len(names) == 120
    assert "120 names in your file, in 120 rows" in html


@pytest.mark.django_db
def test_the_widest_page_is_sent_within_the_request_field_limit(client, uploaded, django_capture_on_commit_callbacks):
    """As many columns and unknown names as the page shows: its answers fit in one request."""
    header = "data,denominazione_regione,totale_casi," + ",".join(f"nota_{n}" for n in range(250))
    rows = "".join(f"2020-03-01,Località {n},{n}," + ",".join("x" for _ in range(250)) + "\n" for n in range(300))
    submission = uploaded((header + "\n" + rows).encode(), "wide.csv")
    form = client.get(mapping_url(submission)).context["form"]
    assert len(form.columns) == 200
    assert len(form.all_places) > len(form.places)
    data = answers(form, leave_out_rest="on")
    assert sum(len(v) if isinstance(v, list) else 1 for v in data.values()) + 1 < 1000  # and the CSRF token

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(mapping_url(submission), data)

    assert response.status_code == 302
    submission.refresh_from_db()
    assert len(submission.mapping["locations"]) == len(form.all_places)


@pytest.mark.django_db
def test_rows_are_kept_by_a_column_of_few_values(client, uploaded, django_capture_on_commit_callbacks):
    content = (
        b"date,location,source_nom,confirmed\n"
        b"2020-03-01,Italy,Ministero,1694\n"
        b"2020-03-01,Italy,Regione,1690\n"
        b"2020-03-02,Italy,Ministero,2036\n"
    )
    submission = uploaded(content, "publishers.csv")
    form = client.get(mapping_url(submission)).context["form"]
    publisher = next(i for i, (column, _) in enumerate(form.filters) if column == "source_nom")

    save(client, submission, django_capture_on_commit_callbacks, **{f"keep_{publisher}": ["Ministero"]})

    assert submission.mapping["keep_rows"] == {"source_nom": ["Ministero"]}
    assert submission.status == Submission.Status.AWAITING_REVIEW, submission.report["problems"]
    assert submission.row_count == 2


@pytest.mark.django_db
def test_someone_elses_submission_has_no_mapping_page(client, uploaded, make_user):
    submission = uploaded()
    client.force_login(make_user("other@example.org"))

    assert client.get(mapping_url(submission)).status_code == 404


SHAPE = "when,area,alpha\n2020-03-01,Lombardia,10\n2020-03-02,Lombardia,12\n2020-03-01,Veneto,5\n"


@pytest.mark.django_db
def test_the_recipe_applied_is_shown_and_can_be_switched_off(
    client, uploaded, make_user, django_capture_on_commit_callbacks
):
    from review import services as review

    first = uploaded(SHAPE.encode(), "bulletin.csv")
    assert first.status == Submission.Status.NEEDS_MAPPING
    form = client.get(mapping_url(first)).context["form"]
    roles = {"when": "date", "area": "location", "alpha": "metric:confirmed"}
    save(
        client,
        first,
        django_capture_on_commit_callbacks,
        **{f"column_{i}": roles[column] for i, (column, _) in enumerate(form.columns)},
    )
    assert first.status == Submission.Status.AWAITING_REVIEW, first.report["problems"]
    reviewer = make_user("rev@example.org", role="reviewer", countries=("IT",))
    with django_capture_on_commit_callbacks(execute=True):
        review.approve(submission=first, reviewer=reviewer, version=first.version)

    second = uploaded((SHAPE + "2020-03-02,Veneto,7\n").encode(), "bulletin.csv")
    assert second.status == Submission.Status.AWAITING_REVIEW, second.report["problems"]
    recipe = second.report["recipe"]
    page = client.get(mapping_url(second))
    html = page.content.decode()
    assert f"This file was read with the recipe <strong>#{recipe['id']}</strong>" in html
    assert page.context["form"]["use_recipe"].value() is True

    save(client, second, django_capture_on_commit_callbacks, use_recipe=None)

    assert second.mapping["use_recipe"] is False
    assert second.report["recipe"] is None
    page = client.get(mapping_url(second))
    assert "You asked for this file to be checked without the source's recipe." in page.content.decode()
    assert page.context["form"]["use_recipe"].value() is False


# --- real files ---------------------------------------------------------------------------------------


@pytest.fixture
def upload_real(client, make_user, test_data, django_capture_on_commit_callbacks):
    """upload_real(country, file name[, name to upload it as]): a real file uploaded and checked."""

    def send(country, filename, upload_as=None):
        client.force_login(make_user(f"volunteer-{country.lower()}@example.org", countries=(country,)))
        source = SourceFactory(country_key=country, name=f"Official {country}", url=f"https://example.org/{country}")
        content = (test_data / "real" / filename).read_bytes()
        with django_capture_on_commit_callbacks(execute=True):
            assert upload(client, source, content=content, name=upload_as or filename).status_code == 302
        return Submission.objects.latest("pk")

    return send


@pytest.mark.django_db
def test_a_workbook_is_read_from_the_sheets_chosen_with_its_unknown_name_mapped(
    client, upload_real, django_capture_on_commit_callbacks
):
    """Italy's DPC workbook: a sheet of the whole series and one sheet per day, which repeat it; the
    daily sheets write Friuli Venezia Giulia as "Friuli V. G." under the country "ITA"."""
    submission = upload_real("IT", "it_dpc-covid19-ita-master_20200308.xlsx")
    assert submission.status == Submission.Status.INVALID
    form = client.get(mapping_url(submission)).context["form"]
    names = [sheet.name for sheet in form.sheet_list]
    assert names[0] == "dpc-covid19-ita-regioni"
    assert len(names) == 15
    friuli = place_field(form, "Friuli V. G.")
    assert form.places[int(friuli.split("_")[1])].sheets == [
        n for n in names if n not in ("dpc-covid19-ita-regioni", "dati")
    ]
    daily = [n for n in names if n not in ("dpc-covid19-ita-regioni", "dati")]

    save(client, submission, django_capture_on_commit_callbacks, sheets=daily, **{friuli: "IT_36"})

    assert submission.mapping["sheets"] == daily
    assert submission.mapping["locations"] == {"ITA / Friuli V. G.": "IT_36"}
    assert submission.status == Submission.Status.AWAITING_REVIEW, submission.report["counts"]
    assert [s.get("name") or s.get("sheet") for s in submission.report["detected"]["sheets"]] == daily
    page = client.get(mapping_url(submission))  # the sheets not chosen are still listed, unticked
    assert [sheet.name for sheet in page.context["form"].sheet_list] == names
    assert page.context["form"]["sheets"].value() == daily
    assert "Not read: Not among the sheets the mapping reads." in page.content.decode()


@pytest.mark.django_db
def test_a_file_of_one_column_per_place_needs_only_the_metric_of_its_values(
    client, upload_real, django_capture_on_commit_callbacks
):
    """South Africa's provincial series, uploaded under a name that does not say which metric it holds."""
    submission = upload_real("ZA", "za_covid19za_provincial_cumulative_timeline_confirmed.csv", "za_provinces.csv")
    assert submission.status == Submission.Status.NEEDS_MAPPING
    page = client.get(mapping_url(submission))
    form = page.context["form"]
    assert form["layout"].value() == "wide_place"
    places = {column: form[f"column_{i}_place"].value() for i, (column, _) in enumerate(form.columns)}
    assert places["EC"] == "ZA_EC"
    assert places["WC"] == "ZA_WC"
    assert "Not taken now: looks like the total of the place columns." in page.content.decode()

    save(client, submission, django_capture_on_commit_callbacks, metric="confirmed")

    assert submission.mapping["metric"] == "confirmed"
    assert submission.mapping["column_places"]["KZN"] == "ZA_KZN"
    assert submission.mapping["column_places"]["total"] == ""
    assert submission.status == Submission.Status.AWAITING_REVIEW, submission.report["counts"]


# --- in a browser, on a phone -------------------------------------------------------------------------

PASSWORD = "correct-horse-42"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_page_fits_and_the_search_fills_the_key(live_server, page, make_user, screenshot):
    from django.core.files.base import ContentFile

    from contributions.services import create_upload
    from tests.sources.factories import SourceFactory

    user = make_user("phone@example.org", countries=("IT",), password=PASSWORD)
    source = SourceFactory(country_key="IT", name="Protezione Civile", url="https://github.com/pcm-dpc/COVID-19")
    header = ["data", "denominazione_regione_con_un_nome_di_colonna_molto_lungo_senza_spazi", "totale_casi", "fonte"]
    long_names = [
        [f"2020-03-0{1 + n % 2}", f"Una località dal nome molto lungo numero {n}", n, "ARS"] for n in range(40)
    ]
    content = workbook(
        primo=[header, ["2020-03-01", "Lombardi", 1, "Ministero"], *long_names],
        secondo_foglio_dal_nome_lunghissimo_senza_spazi_per_vedere_se_va_a_capo=[
            header,
            ["2020-03-02", "Veneto", 2, "ARS"],
        ],
    )
    submission = create_upload(
        submitter=user, source=source, uploaded=ContentFile(content, name="regioni.xlsx"), comment=""
    )
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", "phone@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/my-countries/"))

    page.goto(live_server.url + mapping_url(submission))
    page.wait_for_selector("[data-testid=mapping-form]")
    page.eval_on_selector_all("details", "all => all.forEach(d => { d.open = true; })")
    screenshot(page, "mapping-page-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    index = next(i for i, place in enumerate(page_form_places(submission)) if place == "Lombardi")
    page.fill(f"#id_place_{index}_key", "Lombard")
    page.get_by_role("button", name=re.compile(r"Lombardia \(IT_25")).click()
    assert page.input_value(f"#id_place_{index}_key") == "IT_25"
    assert page.eval_on_selector(f"#id_place_{index}", "select => select.value") == "other"
    screenshot(page, "mapping-page-phone-place-found")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "mapping-page-desktop")


def page_form_places(submission):
    from contributions.mapping import MappingForm

    submission.refresh_from_db()
    return [place.text for place in MappingForm(submission=submission).places]
