"""Series checks: negative values, falling cumulative series and implausible jumps are warnings."""

from .builders import codes, run


def test_negative_values_are_a_warning_not_an_error(reference_data):
    result = run("date,location,confirmed\n2020-03-01,IT,-5\n")

    assert result.is_valid
    assert "negative_value" in codes(result)


def test_a_cumulative_series_that_falls_is_a_warning(reference_data):
    result = run("date,location,confirmed,hospitalized\n2020-03-01,IT,100,50\n2020-03-02,IT,90,40\n")

    assert result.is_valid
    warning = next(p for p in result.report["problems"] if p["code"] == "cumulative_decrease")
    assert warning["row"] == 3
    assert "confirmed" in warning["message"]
    assert "100" in warning["message"]
    assert result.report["counts"]["cumulative_decrease"] == 1  # hospitalised is a level, it may fall


def test_an_implausible_jump_is_a_warning(reference_data):
    result = run("date,location,confirmed\n2020-03-01,IT,1694\n2020-03-02,IT,20360\n2020-03-03,IT,20400\n")

    assert result.is_valid
    assert [p["row"] for p in result.report["problems"] if p["code"] == "implausible_jump"] == [3]
