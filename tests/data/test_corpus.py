"""The broken-input corpus: every file gives a clear cxkit error or a reported repair, nothing else.

``tests/data/corpus/expected.yml`` says for every file what must happen; this module runs each case in
both modes (``errors="raise"`` and ``errors="quarantine"``) and checks, besides the expectations:

- only cxkit errors are raised, and their messages hold no traceback and no library class name;
- rows in = rows loaded + rows rejected;
- the row numbers cxkit reports are the ones a text editor or Excel shows: checked independently of
  cxkit by opening the file with the standard library / openpyxl / pyarrow and looking at that row.
"""
from __future__ import annotations

import ast
import datetime as dt
import importlib.util
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import cxkit as cx
from cxkit.errors import CxkitError

HERE = Path(__file__).resolve().parent / "corpus"
FILES = HERE / "files"
TODAY = dt.date(2026, 1, 15)
CASES = yaml.safe_load((HERE / "expected.yml").read_text(encoding="utf-8"))["cases"]
IDS = [f"{c['file']}[{i}]" for i, c in enumerate(CASES)]

# names that must never reach a user: raw library exceptions and modules
BANNED = ("Traceback", "pyarrow", "Arrow", "openpyxl", "KeyError", "IndexError", "ValueError", "TypeError",
          "AttributeError", "UnicodeDecodeError", "UnicodeError", "BadZipFile", "zipfile", "InvalidFileException",
          "_csv", "csv.Error", "ParserError", "OSError", "struct.error", "lxml", "Exception", "NoneType", "<NA>")


def _spec():
    spec = importlib.util.spec_from_file_location("make_corpus", HERE / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_corpus = _spec()


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict[str, Path]:
    return make_corpus.big_files(tmp_path_factory.mktemp("big"))


def _path(case, generated) -> Path:
    return generated[case["file"]] if case.get("generated") else FILES / case["file"]


def _read(case, path, mode):
    return cx.read_table(path, case["table"], errors=mode, today=TODAY, **case.get("options", {}))


def _clean_message(err: BaseException, path: Path) -> str:
    assert isinstance(err, CxkitError), f"{type(err).__module__}.{type(err).__name__}: {err}"
    text = str(err)
    bare = text.replace(str(path), "").replace(path.name, "")  # file names may hold anything
    for word in BANNED:
        assert word not in bare, f"{word!r} in the message: {text}"
    assert not re.search(r"\b(nan|NaT|None)\b", bare), text
    assert path.name in text, f"the message does not name the file: {text}"
    # no chained library traceback under the cxkit one (a notebook would print both)
    assert err.__cause__ is None and (err.__context__ is None or err.__suppress_context__), repr(err.__context__)
    return text


def _problems(frame: pd.DataFrame) -> list[tuple]:
    return sorted((int(r.row), str(r.column), "" if pd.isna(r.value) else str(r.value))
                  for r in frame.itertuples())


def _match_problems(frame: pd.DataFrame, expected: list[dict]):
    """The problems are exactly the expected ones: row, column, value (or its start), expected text."""
    assert len(frame) == len(expected), f"{len(frame)} problems, expected {len(expected)}:\n{frame.to_string()}"
    rows = list(frame.itertuples())
    for want in expected:
        hits = [r for r in rows if int(r.row) == want["row"] and r.column == want["column"]]
        assert len(hits) == 1, f"no single problem at row {want['row']}, column {want['column']}:\n{frame.to_string()}"
        got = hits[0]
        value = "" if pd.isna(got.value) else str(got.value)
        if "value_prefix" in want:
            assert value.startswith(want["value_prefix"]), (value[:80], want)
        else:
            assert value == str(want["value"]), (value, want)
        assert want["expected"] in got.expected, (got.expected, want)


def _norm(v):
    if v is None or (not isinstance(v, (list, np.ndarray)) and pd.isna(v)):
        return None
    if isinstance(v, (pd.Timestamp, dt.datetime)):
        v = pd.Timestamp(v)
        return v.strftime("%Y-%m-%d") if v == v.normalize() else v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return float(v)
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    return v


def _check_loaded(lr, case):
    assert lr.rows_in == lr.rows_loaded + lr.rows_rejected
    assert lr.rows_in == case["rows_in"]
    assert lr.data["_row"].tolist() == case["loaded_rows"]
    rejected_rows = sorted({r["row"] for r in case.get("rejected", [])})
    assert sorted(lr.rejected["row"].astype(int).tolist()) == rejected_rows
    assert lr.rows_loaded == case["rows_in"] - len(rejected_rows)
    _match_problems(lr.problems, case.get("rejected", []))
    for row, reason in zip(lr.rejected["row"], lr.rejected["reason"]):  # every rejected row says why
        columns = {p["column"] for p in case.get("rejected", []) if p["row"] == row}
        assert all(f"column '{c}'" in reason or c == "(whole row)" for c in columns), reason
        assert "expected" in reason
    _check_blanked(lr, case.get("blanked", []))
    repairs = [r for r in lr.repairs["repair"].tolist() if not r.startswith(BLANKED)]  # checked just above
    wanted = case.get("repairs", [])
    for fragment in wanted:
        assert any(fragment in r for r in repairs), f"repair {fragment!r} not reported; got {repairs}"
    for r in repairs:
        assert any(fragment in r for fragment in wanted), f"unexpected repair {r!r}"
    for key, value in case.get("source", {}).items():
        assert lr.source.get(key) == value, (key, lr.source)
    for column, values in case.get("values", {}).items():
        got = [_norm(v) for v in lr.data[column].tolist()]
        assert got == [_norm(v) for v in values], (column, got)


BLANKED = "blanked values (optional column) - expected "


def _line_numbers(lines: str) -> list[int]:
    """The rows a repair names: "4, 6 and 2 more" -> [4, 6]."""
    return [int(x) for x in lines.split(" and ")[0].split(", ") if x]


def _check_blanked(lr, blanked: list[dict]):
    """Each bad value of an optional column is empty in its loaded row and named by exactly one repair (its
    column, expected text and row); the repairs count exactly these values; each repair's example is the
    first of its values, as written in the file."""
    reps = lr.repairs[lr.repairs["repair"].str.startswith(BLANKED)]
    assert int(reps["rows"].sum()) == len(blanked), reps.to_string()
    mine: dict[int, list[dict]] = {}
    for want in blanked:
        hits = [r for r in reps.itertuples() if r.column == want["column"] and want["expected"] in r.repair
                and want["row"] in _line_numbers(r.lines)]
        assert len(hits) == 1, (want, reps.to_string())
        mine.setdefault(hits[0].Index, []).append(want)
        at = np.flatnonzero(lr.data["_row"].to_numpy() == want["row"])
        assert len(at) == 1 and pd.isna(lr.data[want["column"]].iloc[at[0]]), want
    for index, wants in mine.items():
        first = min(wants, key=lambda w: w["row"])
        assert reps.loc[index, "example"] == repr(str(first["value"])), (reps.loc[index, "example"], first)
        assert reps.loc[index, "rows"] == len(wants)


@pytest.mark.parametrize("mode", ["quarantine", "raise"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_corpus_file(case, mode, generated):
    path = _path(case, generated)
    if "error" in case:  # the same error in both modes
        with pytest.raises(CxkitError) as err:
            _read(case, path, mode)
        _check_error(err.value, case, path)
    elif mode == "quarantine" or not case.get("rejected"):
        _check_loaded(_read(case, path, mode), case)
    else:  # strict mode: the same problems, raised together
        with pytest.raises(cx.DataValidationError) as err:
            _read(case, path, mode)
        text = _clean_message(err.value, path)
        _match_problems(err.value.problems, case["rejected"])
        for p in sorted(case["rejected"], key=lambda p: p["row"])[:20]:
            assert f"{path.name}, row {p['row']}, column '{p['column']}'" in text, text


def _check_error(err, case, path):
    assert type(err).__name__ == case["error"], f"{type(err).__name__}: {err}"
    text = _clean_message(err, path)
    for fragment in case.get("message", []):
        assert fragment in text, (fragment, text)
    if "problems" in case:
        _match_problems(err.problems, case["problems"])
        for p in case["problems"]:
            assert f"{path.name}, row {p['row']}, column '{p['column']}'" in text


# ------------------------------------------------------------------------------------------------
# row numbers, checked without cxkit


def _text_lines(path: Path, encoding: str) -> list[str]:
    """The file's lines as a text editor shows them (CR, LF and CRLF all end a line)."""
    raw = path.read_bytes()
    if not encoding.startswith("utf-16"):
        raw = raw.replace(b"\x00", b"")  # NUL bytes are not shown by editors
    text = raw.decode(encoding, errors="replace")
    return re.split(r"\r\n|\r|\n", text.lstrip("\ufeff"))


def _sheet_rows(path: Path, sheet: str) -> dict[int, str]:
    import openpyxl

    out: dict[int, str] = {}
    for data_only in (True, False):  # saved results (and error values) and the formulas
        with open(path, "rb") as fh:
            ws = openpyxl.load_workbook(fh, data_only=data_only)[sheet]
            for row in ws.iter_rows():
                if row:
                    out[row[0].row] = out.get(row[0].row, "") + " " + " ".join(
                        "" if c.value is None else str(c.value) for c in row)
    return out


def _parquet_rows(path: Path) -> dict[int, str]:
    import pyarrow.parquet as pq

    table = pq.read_table(path).to_pylist()
    return {i + 1: " ".join("" if v is None else str(v) for v in rec.values()) for i, rec in enumerate(table)}


LOADING = [c for c in CASES if "error" not in c]


@pytest.mark.parametrize("case", LOADING, ids=[f"{c['file']}" for c in LOADING])
def test_reported_rows_are_the_rows_in_the_file(case, generated):
    """Each rejected value and each loaded row's first field sit on the row number cxkit gives."""
    path = _path(case, generated)
    lr = _read(case, path, "quarantine")
    fmt = lr.source["format"]
    if fmt == "csv":
        lines = _text_lines(path, lr.source["encoding"])
        row_text = {i + 1: line for i, line in enumerate(lines)}
    elif fmt == "xlsx":
        row_text = _sheet_rows(path, lr.source["sheet"])
    else:
        row_text = _parquet_rows(path)
    first = next(c for c in lr.data.columns if not c.startswith("_"))
    for value, row in zip(lr.data[first].astype("string").fillna(""), lr.data["_row"]):
        assert str(value).split("\n")[0][:40].casefold() in row_text[int(row)].casefold(), (row, value)
    for p in lr.problems.itertuples():
        value = "" if pd.isna(p.value) else str(p.value)
        if value:
            assert value.split("\n")[0][:40].casefold() in row_text[int(p.row)].casefold(), (p.row, value)
    for r in lr.repairs[lr.repairs["repair"].str.startswith(BLANKED)].itertuples():  # the first value blanked
        value = ast.literal_eval(r.example)
        assert value.casefold() in row_text[_line_numbers(r.lines)[0]].casefold(), (r.lines, value)


# ------------------------------------------------------------------------------------------------
# the corpus itself


def test_corpus_is_big_enough_and_every_file_has_an_expectation():
    on_disk = {p.name for p in FILES.iterdir()}
    described = {c["file"] for c in CASES if not c.get("generated")}
    assert on_disk == described
    assert len(on_disk) >= 30
    assert all(c.get("why") for c in CASES)


def test_make_corpus_reproduces_the_committed_files(tmp_path):
    import pyarrow.parquet as pq

    built = make_corpus.build(tmp_path)
    assert set(built) == {p.name for p in FILES.iterdir()}
    for name in built:
        if name.endswith(".parquet") and not name.startswith("p81"):
            assert pq.read_table(tmp_path / name).equals(pq.read_table(FILES / name)), name
        elif not name.endswith(".parquet"):
            assert (tmp_path / name).read_bytes() == (FILES / name).read_bytes(), name


def test_real_encrypted_workbook_is_recognised_like_the_fixture(tmp_path):
    """The fixture is a hand-made OLE container; a file with the same streams gets the same error."""
    data = make_corpus.cfb({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00" + b"<encryption/>",
                            "EncryptedPackage": b"\x00" * 5000})
    path = tmp_path / "locked.xlsx"
    path.write_bytes(data)
    with pytest.raises(cx.FileReadError, match="password-protected"):
        cx.read_table(path, "responses")


def test_load_folder_with_corpus_files_sets_bad_rows_aside(tmp_path):
    """A folder load in quarantine mode keeps going past rejected rows of several tables."""
    (tmp_path / "responses.csv").write_bytes((FILES / "r24_scores_placeholders.csv").read_bytes())
    (tmp_path / "revenue.csv").write_bytes((FILES / "v13_revenue_negative.csv").read_bytes())
    ds = cx.load(tmp_path, errors="quarantine", today=TODAY)
    log = ds.log.set_index("table")
    assert (log["rows_in"] == log["rows_loaded"] + log["rows_rejected"]).all()
    # responses: row 5 has no score (rejected); row 6's '#N/A' CSAT is blanked, the row kept
    assert log.loc["revenue", "rows_rejected"] == 3 and log.loc["responses", "rows_rejected"] == 1
    assert set(ds.rejected["table"]) == {"responses", "revenue"}
    assert ds.repairs.query("table == 'responses' and column == 'csat'")["repair"].str.startswith(
        "blanked values (optional column)").sum() == 1


@pytest.mark.parametrize("options, fragment", [
    ({"delimiter": ";;"}, "delimiter ';;' - expected one character"),
    ({"encoding": "latin-99"}, "unknown encoding 'latin-99'"),
    ({"mapping": {"responses": {"date_format": "%Q"}}}, "date_format '%Q' is not a valid format"),
    ({"mapping": {"responses": {"decimal": ";"}}}, "decimal ';' - expected ',' or '.'"),
])
def test_wrong_reading_settings_are_config_errors(options, fragment):
    """Settings are checked before the file is read: a ConfigError, not a library error."""
    with pytest.raises(cx.ConfigError) as err:
        cx.read_table(FILES / "r04_bom_utf8.csv", "responses", **options)
    assert fragment in str(err.value)
    assert err.value.__context__ is None or err.value.__suppress_context__  # no library traceback below it


def test_tab_can_be_named_in_words():
    lr = cx.read_table(FILES / "r02_tab_named_csv.csv", "responses", delimiter="tab", today=TODAY)
    assert lr.source["delimiter"] == "\t" and lr.rows_loaded == 2


def test_damaged_copies_of_the_corpus_never_raise_library_errors(tmp_path):
    """Seeded fuzzing: cut, flip, insert and repeat bytes of corpus files; every outcome is a load that
    keeps rows in = loaded + rejected, or a cxkit error with a clean message."""
    import random

    rng = random.Random(20261122)
    files = sorted(FILES.iterdir())
    tables = {"r": "responses", "u": "units", "v": "revenue", "c": "customers", "t": "tickets", "x": "responses",
              "p": "responses"}
    inserts = [b'"', b"\r", b"\n", b";", b",", b"\x00", b"\xff\xfe", b"#N/A", "\u200b".encode(), b"\xc4"]
    for i in range(150):
        src = rng.choice(files)
        data = bytearray(src.read_bytes())
        if not data:
            continue
        op = i % 4
        if op == 0:
            data = data[:rng.randrange(len(data))]
        elif op == 1:
            for _ in range(rng.randint(1, 5)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif op == 2:
            k = rng.randrange(len(data))
            data[k:k] = rng.choice(inserts)
        else:
            a = rng.randrange(len(data))
            data[a:a] = data[a:a + rng.randint(1, 200)]
        path = tmp_path / f"damaged_{i}{src.suffix}"
        path.write_bytes(bytes(data))
        for mode in ("quarantine", "raise"):
            try:
                lr = cx.read_table(path, tables[src.name[0]], errors=mode, today=TODAY)
            except CxkitError as err:
                _clean_message(err, path)
                assert "internal error" not in str(err)
            else:
                assert lr.rows_in == lr.rows_loaded + lr.rows_rejected
