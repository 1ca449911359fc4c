"""Reading a stored file: only the server's path is opened, limits hold, the bytes decide."""

import pytest

from contributions.parsing import parse_bytes, parse_file


def test_a_user_supplied_file_name_is_never_opened(tmp_path):
    stored = tmp_path / "0f3c2a"
    stored.write_bytes(b"date,location,confirmed\n2020-03-01,IT,1\n")

    parsed = parse_file(stored, filename="/etc/passwd")

    assert parsed.filename == "/etc/passwd"
    assert parsed.sheets[0].header == ["date", "location", "confirmed"]


def test_a_file_over_the_size_limit_is_not_read(monkeypatch, tmp_path):
    monkeypatch.setattr("contributions.parsing.files.MAX_FILE_BYTES", 10)
    path = tmp_path / "big"
    path.write_bytes(b"date,location,confirmed\n2020-03-01,IT,1\n")

    parsed = parse_file(path)

    assert [p["code"] for p in parsed.problems] == ["file_too_large"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_a_stored_file_reads_as_its_bytes_do(tmp_path, encoding):
    """parse_file maps the stored file instead of reading it into memory: same sheets, same problems,
    and nothing keeps the map open."""
    data = ('"date";"location";"confirmed"\n' + "2020-03-01;Bogotá;1.234\n" * 3 + '2020-03-02;"Bo;gotá";x\n').encode(
        encoding
    )
    stored = tmp_path / "upload"
    stored.write_bytes(data)

    mapped, in_memory = parse_file(stored), parse_bytes(data, filename="upload")

    assert mapped.encoding == in_memory.encoding == encoding
    assert mapped.problems == in_memory.problems
    assert mapped.sheets[0].frame.equals(in_memory.sheets[0].frame)
    assert mapped.sheets[0].frame["location"].tolist()[-1] == "Bo;gotá"
    stored.unlink()  # not held open


def test_a_stored_empty_or_mixed_encoding_file_is_a_clear_error(tmp_path):
    empty, mixed = tmp_path / "empty", tmp_path / "mixed"
    empty.write_bytes(b"")
    mixed.write_bytes(
        "date,location,confirmed\n2020-03-01,Bogotá,1\n".encode() + "2020-03-02,Bogotá,2\n".encode("cp1252")
    )

    assert [p["code"] for p in parse_file(empty).problems] == ["empty_file"]
    assert [p["code"] for p in parse_file(mixed).problems] == ["mixed_encoding"]
    assert parse_file(mixed).problems[0]["row"] == 3
