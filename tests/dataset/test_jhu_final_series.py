"""The real final JHU global series (about 974k values), imported once for the module: what import_jhu
makes of it, and the JHU export giving the same files back. One import serves both (it takes 13 s)."""

from datetime import date

import pytest
from django.core.management import call_command

from dataset.models import JhuRow, Observation, Release
from places.models import Location, LocationAlias

from .jhu_data import METRICS, final_file, import_jhu, module_import, original_cell, read_original, stored_value


@pytest.fixture(scope="module")
def final_series(django_db_setup, django_db_blocker):
    with module_import(django_db_blocker, [final_file(m) for m in METRICS]) as output:
        yield output


@pytest.mark.slow
def test_the_final_series_imports_every_row_andstored_value(final_series, db):
    originals = {m: read_original(final_file(m)) for m in METRICS}
    expected_values = sum(frame.shape[0] * (frame.shape[1] - 4) for frame in originals.values())
    places = set()
    for frame in originals.values():
        places |= set(zip(frame["Province/State"], frame["Country/Region"], strict=True))
    assert Observation.objects.count() == expected_values
    assert Location.objects.filter(jhu_rows__layout=JhuRow.Layout.GLOBAL).distinct().count() == len(places)
    release = Release.objects.get()
    assert release.values_added == expected_values
    assert f"{expected_values} values added" in final_series


@pytest.mark.slow
def test_italy_confirmed_on_9_march_2020_and_on_the_last_date(final_series, db):
    original = read_original(final_file("confirmed"))
    assert original.columns[-1] == "3/9/23"
    assert stored_value("IT", "confirmed", date(2020, 3, 9)) == original_cell(original, "Italy", "3/9/20")
    assert stored_value("IT", "confirmed", date(2023, 3, 9)) == original_cell(original, "Italy", "3/9/23")
    assert stored_value("IT", "confirmed", date(2023, 3, 9)) > 25_000_000


@pytest.mark.slow
def test_jhu_names_resolve_to_iso_countries_and_special_places(final_series, db):
    original = read_original(final_file("deaths"))
    assert stored_value("KR", "deaths", date(2022, 1, 1)) == original_cell(original, "Korea, South", "1/1/22")
    assert stored_value("TW", "deaths", date(2022, 1, 1)) == original_cell(original, "Taiwan*", "1/1/22")
    assert stored_value("SHIP_DIAMOND_PRINCESS", "deaths", date(2020, 4, 1)) == original_cell(
        original, "Diamond Princess", "4/1/20"
    )
    canada_ship = Location.objects.get(
        jhu_rows__province_state="Diamond Princess", jhu_rows__country_region="Canada", jhu_rows__metric__code="deaths"
    )
    assert canada_ship.key != "SHIP_DIAMOND_PRINCESS"
    assert canada_ship.parent.key == "CA"
    assert Location.objects.get(key="CA_ON").jhu_rows.filter(province_state="Ontario").exists()
    assert Location.objects.get(key="CN_HB").parent.key == "CN"


@pytest.mark.slow
def test_jhu_names_are_kept_as_aliases(final_series, db):
    jhu = LocationAlias.Scheme.JHU
    assert LocationAlias.objects.get(scheme=jhu, text="Korea, South").location.key == "KR"
    assert LocationAlias.objects.get(scheme=jhu, text="Hubei, China").location.key == "CN_HB"


@pytest.mark.slow
def test_jhu_export_round_trips_the_final_files(final_series, db, tmp_path):
    """Same rows, same columns in order, same values as JHU's own files; except that the days after a
    series' end (JHU's recovered counts, kept at 0 once it stopped counting them) are left empty."""
    call_command("export_dataset", "--format", "jhu", "--output", str(tmp_path))
    for metric in METRICS:
        original = read_original(final_file(metric))
        exported = read_original(tmp_path / final_file(metric).name)
        assert list(exported.columns) == list(original.columns)
        assert exported.shape == original.shape
        differs = exported != original
        if metric == "recovered":
            assert differs.to_numpy().any(), "the recovered zeros after JHU stopped counting are left out"
            assert (exported[differs].fillna("") == "").all().all(), "only emptied cells differ"
            # Each row's emptied cells are its last days: from the end on, nothing.
            for _, row in differs.iterrows():
                flags = row.tolist()
                if True in flags:
                    assert all(flags[flags.index(True) :]), "a value after an emptied day"
        else:
            assert not differs.to_numpy().any(), metric


@pytest.mark.slow
def test_reimporting_the_same_files_changes_nothing(final_series, db):
    count = Observation.objects.count()
    output = import_jhu(*[final_file(m) for m in METRICS])
    assert "0 values added, 0 changed" in output
    assert "no new release" in output
    assert Release.objects.count() == 1
    assert Observation.objects.count() == count
