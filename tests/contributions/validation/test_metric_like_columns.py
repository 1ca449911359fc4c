"""Columns that look like metrics are taken when they mean one of ours, and otherwise named in the report
with their number of values: never left out without a word."""

import csv
import datetime as dt

import pytest

from contributions.columns import classify_column, metric_words
from contributions.parsing import parse_file
from contributions.validation import validate
from tests.conftest import TEST_DATA

from .builders import codes, run, values

PT_FILE = TEST_DATA / "real" / "pt_dssg_data.csv"
KR_FILE = TEST_DATA / "real" / "kr_TimeProvince.csv"


def check(path, mapping, country):
    parsed = parse_file(path, filename=path.name, mapping=mapping)
    return validate(
        parsed, mapping=mapping, default_country=country, source_country=country, today=dt.date(2023, 12, 31)
    )


def warned(result):
    return {p["column"]: p for p in result.report["problems"] if p["code"] == "unmapped_metric_column"}


def left_out(result):
    return {e["column"]: e for e in result.report["detected"]["sheets"][0]["left_out"]}


@pytest.mark.parametrize(
    ("header", "metric"),
    [
        ("released", "recovered"),
        ("internados_uci", "icu"),
        ("internados", "hospitalized"),
        ("reanimation", "icu"),
        ("hospitalises", "hospitalized"),
        ("gueris", "recovered"),
        ("recuperados", "recovered"),
        ("obitos", "deaths"),
        ("depistes", "tests"),
        ("Recovered cases", "recovered"),  # the more specific metric, not "cases"
    ],
)
def test_headers_that_mean_one_of_our_metrics_are_taken_as_it(header, metric):
    guess = classify_column(header)

    assert (guess.role, guess.metric) == ("metric_column", metric)


@pytest.mark.parametrize(
    ("header", "metric", "kind"),
    [
        ("deces_ehpad", "deaths", "part"),  # deaths in care homes: a part of the deaths
        ("confirmados_0_9_f", "confirmed", "part"),
        ("Todesfälle Männer", "deaths", "part"),
        ("nuovi_positivi", None, "metric"),  # new positives: a figure we have no metric for
        ("Active", None, "metric"),
        ("New Deaths", "deaths", "daily"),
        ("suspeitos", None, "metric"),
        ("ricoverati_con_sintomi", None, "metric"),
        ("casos sospechosos", "confirmed", "other"),  # suspected cases are not confirmed ones
        ("casos positivos", "confirmed", "metric"),
        ("personnes en isolement", None, "metric"),
        ("Verdachtsfälle", None, "metric"),
    ],
)
def test_headers_of_figures_we_do_not_take_look_like_metrics(header, metric, kind):
    like = metric_words(header)

    assert like is not None
    assert (like.metric, like.kind) == (metric, kind)
    if kind != "metric":
        assert classify_column(header).role != "metric_column"


@pytest.mark.parametrize("header", ["lat", "note_casi", "source_url", "codice_regione", "population", "maille_nom"])
def test_headers_of_other_things_do_not_look_like_metrics(header):
    assert metric_words(header) is None


KR_PROVINCES = {
    "Seoul": "KR_11",
    "Busan": "KR_26",
    "Daegu": "KR_27",
    "Incheon": "KR_28",
    "Gwangju": "KR_29",
    "Daejeon": "KR_30",
    "Ulsan": "KR_31",
    "Sejong": "KR_50",
    "Gyeonggi-do": "KR_41",
    "Gangwon-do": "KR_42",
    "Chungcheongbuk-do": "KR_43",
    "Chungcheongnam-do": "KR_44",
    "Jeollabuk-do": "KR_45",
    "Jeollanam-do": "KR_46",
    "Gyeongsangbuk-do": "KR_47",
    "Gyeongsangnam-do": "KR_48",
    "Jeju-do": "KR_49",
}


def test_korea_released_is_taken_as_recovered(reference_data):
    result = check(KR_FILE, {"locations": KR_PROVINCES}, "KR")

    assert result.is_valid, result.report["counts"]
    sheet = result.report["detected"]["sheets"][0]
    assert sheet["metric_columns"] == {"confirmed": "confirmed", "released": "recovered", "deceased": "deaths"}
    with KR_FILE.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    taken = values(result)
    assert sum(1 for key in taken if key[1] == "recovered") == len(rows)
    for row in (rows[0], rows[len(rows) // 2], rows[-1]):
        assert taken[(KR_PROVINCES[row["province"]], "recovered", row["date"])] == float(row["released"])
    assert "unmapped_metric_column" not in codes(result)


def test_portugal_metrics_are_taken_and_the_rest_named_with_their_values(reference_data):
    result = check(PT_FILE, {"location": "PT"}, "PT")

    assert result.is_valid, result.report["counts"]
    sheet = result.report["detected"]["sheets"][0]
    national = {
        "confirmados": "confirmed",
        "recuperados": "recovered",
        "obitos": "deaths",
        "internados": "hospitalized",
        "internados_uci": "icu",
    }
    assert {c: sheet["metric_columns"].get(c) for c in national} == national
    # Any other column taken is a region's (confirmados_acores, when Açores is a name we know), never PT's.
    assert set(sheet["metric_columns"]) - set(national) == set(sheet["column_places"])
    with PT_FILE.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    icu = result.frame[result.frame["metric"] == "icu"]
    assert len(icu) == sum(1 for r in rows if r["internados_uci"].strip())
    assert icu.iloc[-1].value == float(rows[-1]["internados_uci"] or rows[-2]["internados_uci"])
    found = warned(result)
    named = ["confirmados_novos", "suspeitos", "ativos", "confirmados_0_9_f", "internados_enfermaria", "n_confirmados"]
    for column in named:
        assert found[column]["severity"] == "warning"
        count = sum(1 for r in rows if r[column].strip())
        assert f"; {count:,} values): choose one" in found[column]["message"], found[column]["message"]
        assert found[column]["message"].startswith(f"Column {column!r} looks like a metric we did not take")
    assert "a daily change" in found["confirmados_novos"]["message"]
    assert "a part of confirmed" in found["confirmados_0_9_f"]["message"]
    assert "(hospitalized of another kind" in found["internados_enfermaria"]["message"]
    assert "column 'confirmados' gives confirmed" in found["n_confirmados"]["message"]
    # Not offered as the metric it looks like: taking it would add it to "confirmados".
    assert sheet["roles"]["confirmados_0_9_f"] is None
    assert left_out(result)["confirmados_0_9_f"]["metric"] == "confirmed"
    # Columns of no figures are listed, not warned about.
    assert "sintomas_febre" not in found
    assert left_out(result)["sintomas_febre"]["values"] > 0


def test_a_column_ignored_by_the_volunteer_is_not_warned_about_but_counted_as_left_out(reference_data):
    text = "date,deces,deces_ehpad,hospitalises_reanimation,Unknown figure\n2020-04-01,10,4,7,1\n2020-04-02,12,,8,2\n"

    asked = run(text, country="FR", mapping={"location": "FR"})
    chosen = run(
        text, country="FR", mapping={"location": "FR", "ignore": ["deces_ehpad"], "metrics": {"deces": "deaths"}}
    )

    assert asked.is_valid, asked.report["problems"]
    assert values(asked) == {
        ("FR", "deaths", "2020-04-01"): 10,
        ("FR", "deaths", "2020-04-02"): 12,
        ("FR", "icu", "2020-04-01"): 7,
        ("FR", "icu", "2020-04-02"): 8,
    }
    assert "(a part of deaths (by sex, age or setting); 1 value)" in warned(asked)["deces_ehpad"]["message"]
    assert chosen.is_valid, chosen.report["problems"]
    assert set(warned(chosen)) == {"hospitalises_reanimation"}  # not in the volunteer's metrics: not taken
    assert left_out(chosen)["deces_ehpad"] == {
        "column": "deces_ehpad",
        "values": 1,
        "reason": "left out by the mapping",
        "reason_msgid": "left out by the mapping",  # shown in the reader's language
        "on_purpose": True,
        "metric": "deaths",
    }
    assert "Unknown figure" not in warned(asked)


def test_a_metric_mapped_to_nothing_is_left_out_on_purpose(reference_data):
    text = "date,confirmed,New Cases\n2020-04-01,100,7\n"

    asked = run(text, country="IT", mapping={"location": "IT"})
    chosen = run(text, country="IT", mapping={"location": "IT", "metrics": {"confirmed": "confirmed", "New Cases": ""}})

    assert "New Cases" in warned(asked)
    assert "unmapped_metric_column" not in codes(chosen)
    assert left_out(chosen)["New Cases"]["on_purpose"] is True


def test_an_empty_metric_column_loses_nothing_and_is_not_warned_about(reference_data):
    result = run("date,confirmed,suspected\n2020-04-01,100,\n", country="IT", mapping={"location": "IT"})

    assert "unmapped_metric_column" not in codes(result)
    assert left_out(result)["suspected"]["values"] == 0


def test_a_suggested_mapping_does_not_ignore_columns_of_figures(reference_data):
    result = run("date,confirmados,suspeitos,lab_code\n2020-04-01,100,7,x\n", country="PT")

    suggested = result.report["needs_mapping"]["suggested"]
    assert suggested["location"] == "PT"
    assert "suspeitos" not in suggested.get("ignore", [])
    assert "suspeitos" in warned(result)


def test_the_same_column_in_several_sheets_has_one_warning(reference_data, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name in ("Lombardia", "Veneto"):
        sheet = book.create_sheet(name)
        sheet.append(["data", "totale_casi", "nuovi_positivi"])
        sheet.append(["2020-03-01", 100, 20])
        sheet.append(["2020-03-02", 120, 20])
    path = tmp_path / "regions.xlsx"
    book.save(path)

    result = check(path, {"sheet_as_location": True}, "IT")

    assert result.is_valid, result.report["problems"]
    found = [p for p in result.report["problems"] if p["code"] == "unmapped_metric_column"]
    assert len(found) == 1
    assert found[0]["column"] == "nuovi_positivi"
    assert "4 values" in found[0]["message"]
    assert found[0]["sheet"] is None
