"""The export schema is the one list of columns: the files, the Data Package and the dictionary agree."""

import csv

from dataset.exports.jhu import write_jhu
from dataset.exports.schema import JHU_DICTIONARY, JHU_HEADER, TIDY_DICTIONARY, TIDY_HEADER, TIDY_NAME
from dataset.exports.tidy import write_tidy


def header(path) -> list[str]:
    with path.open(encoding="utf-8") as handle:
        return next(csv.reader(handle))


def test_the_files_have_the_columns_the_dictionary_documents(hostile, tmp_path):
    write_tidy(tmp_path, gzip_copy=False)
    assert header(tmp_path / TIDY_NAME) == TIDY_HEADER == [name for name, _type, _definition in TIDY_DICTIONARY]
    write_jhu(tmp_path)
    jhu = header(tmp_path / "time_series_covid19_confirmed_global.csv")
    assert jhu[:4] == JHU_HEADER == [name for name, _type, _definition in JHU_DICTIONARY][:4]
    assert jhu[4:] == ["3/1/20"]  # then one column per date, as the dictionary's last row says
