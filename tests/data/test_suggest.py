"""The mapping suggestion (issue 21): a draft mapping from the header's wording and the values, the
YAML loads the file, and the ``suggest-mapping`` / ``validate`` commands show it."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import cxkit as cx
from cxkit.cli import main
from cxkit.data.contract import read_mapping
from cxkit.data.suggest import MappingSuggestion, _wording, suggest_mapping

from helpers import write

UNITS = ["Vilnius Ozas", "Kaunas Mega", "Riga Centrs", "Warszawa Arkadia"]  # in cp1257 and cp1250 too


def _rows(n: int = 40) -> list[list[str]]:
    """Response id, unit, date, NPS 0-10, CSAT 1-5, CES 1-5, comment."""
    return [[f"R{1000 + i}", UNITS[i % 4], f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}", str(i % 11), str(1 + i % 5),
             str(1 + (i * 3) % 5), "Ačiū - viskas gerai" if i % 3 else ""] for i in range(n)]


def _csv(path: Path, header: list[str], rows=None, sep: str = ";", encoding: str = "utf-8") -> Path:
    rows = _rows() if rows is None else rows
    text = "\n".join(sep.join(r) for r in [header, *rows]) + "\n"
    return write(path, text, encoding)


# question texts as survey platforms export them: id, unit, date, NPS, CSAT, CES, comment
HEADERS = {
    "en": ["Response ID", "Store", "Date submitted",
           "How likely are you to recommend our store to a friend or colleague?",
           "Overall, how satisfied are you with your visit?", "How easy was it to get your issue resolved?",
           "Please tell us why"],
    "lt": ["Atsakymo ID", "Parduotuvė", "Data", "Kaip tikėtina, kad rekomenduotumėte mūsų parduotuvę draugams?",
           "Kiek esate patenkinti apsilankymu?", "Kaip lengva buvo išspręsti jūsų klausimą?", "Komentaras"],
    "pl": ["Numer ankiety", "Sklep", "Data wypełnienia",
           "Jak bardzo prawdopodobne jest, że poleciłby Pan/Pani nasz sklep znajomemu?",
           "Jak bardzo jest Pan/Pani zadowolony z wizyty?", "Jak łatwo było załatwić sprawę?", "Komentarz"],
    "lv": ["Atbildes ID", "Veikals", "Datums", "Cik ticams, ka jūs ieteiktu mūsu veikalu draugam vai kolēģim?",
           "Cik apmierināts esat ar apmeklējumu?", "Cik viegli bija atrisināt jūsu jautājumu?", "Komentārs"],
    "fr": ["ID de réponse", "Magasin", "Date de réponse",
           "Quelle est la probabilité que vous recommandiez notre magasin à un ami ?",
           "Dans l'ensemble, êtes-vous satisfait de votre visite ?",
           "Était-il facile de résoudre votre demande ?", "Commentaire"],
    "es": ["ID de respuesta", "Tienda", "Fecha", "¿Qué probabilidad hay de que recomiende nuestra tienda a un amigo?",
           "¿Qué tan satisfecho está con su visita?", "¿Qué tan fácil fue resolver su consulta?", "Comentario"],
    "pt": ["ID da resposta", "Loja", "Data da resposta",
           "Qual a probabilidade de recomendar a nossa loja a um amigo?",
           "Quão satisfeito ficou com a sua visita?", "Foi fácil resolver o seu pedido?", "Comentário"],
}
FIELDS = ["response_id", "unit", "date", "nps", "csat", "ces", "comment"]


@pytest.mark.parametrize("lang", sorted(HEADERS))
def test_question_wording_in_each_language_is_recognised(tmp_path, lang):
    header = HEADERS[lang]
    encoding = {"lt": "cp1257", "lv": "cp1257", "pl": "cp1250"}.get(lang, "utf-8")
    rows = [r[:6] + [""] for r in _rows()] if encoding != "utf-8" else _rows()  # no Lithuanian text in cp1250
    path = _csv(tmp_path / f"export_{lang}.csv", header, rows, encoding=encoding)
    s = suggest_mapping(path)
    assert s.columns == dict(zip(header, FIELDS))
    summary = s.summary.set_index("column")
    for question in header[3:6]:
        assert summary.loc[question, "confidence"] == "high", summary.loc[question, "why"]
        assert summary.loc[question, "why"].startswith("wording '")
    assert s.missing == [] and s.has_score


def test_wording_ignores_case_and_accents():
    assert _wording("ar REKOMENDUOTUMETE mus?", "nps").startswith("wording 'rekomend'")
    assert _wording("ZADOWOLONY?", "csat").startswith("wording 'zadowol'")
    assert _wording("Vai jūs IETEIKTU?", "nps").startswith("wording 'ieteik'")
    assert _wording("Apmierināts?", "csat") and _wording("Satisfeito?", "csat") and _wording("Polecił(a)?", "nps")
    assert _wording("Recomendaria?", "nps") and _wording("Recommanderiez-vous ?", "nps")
    assert _wording("Effort needed", "ces") and _wording("Was it easy?", "ces")
    assert _wording("Shop", "nps") is None


def test_values_alone_suggest_scores_the_id_and_the_date(tmp_path):
    rows = _rows()
    header = ["Q0", "Q1", "Q2", "Q3", "Q4", "Q5"]
    path = _csv(tmp_path / "export.csv", header, [[r[0], r[2], r[3], r[4], r[1], r[3]] for r in rows])
    s = suggest_mapping(path)
    # Q5 (a second 0-10 column) is neither a second NPS nor a CSAT candidate
    assert s.columns == {"Q0": "response_id", "Q1": "date", "Q2": "nps", "Q3": "csat", "Q4": "unit"}
    summary = s.summary.set_index("column")
    assert set(summary.loc[[f"Q{i}" for i in range(5)], "confidence"]) == {"low"}
    assert summary.loc["Q5", "why"] == "no rule matched: kept as text"
    assert summary.loc["Q0", "why"] == "unique in all 40 rows read"
    assert summary.loc["Q1", "why"] == "every value reads as a date"
    assert summary.loc["Q2", "why"] == "whole numbers 0-10 in 40 rows read"
    assert summary.loc["Q3", "why"] == "whole numbers 1-5 in 40 rows read"


def test_values_that_speak_against_the_wording_lower_the_confidence(tmp_path):
    rows = [[r[0], r[1], r[2], "Very likely", r[4]] for r in _rows()]
    path = _csv(tmp_path / "export.csv", ["id", "unit", "date", "Would you recommend us?", "Satisfied?"], rows)
    s = suggest_mapping(path)
    summary = s.summary.set_index("column")
    assert summary.loc["Would you recommend us?", "confidence"] == "low"
    assert "values are not whole numbers 0-10 (40 of 40 are not)" in summary.loc["Would you recommend us?", "why"]
    assert summary.loc["Satisfied?", "confidence"] == "high"


def test_a_repeating_column_is_not_suggested_as_the_id(tmp_path):
    rows = [["A1" if i < 2 else f"A{i}"] + r[1:] for i, r in enumerate(_rows())]
    path = _csv(tmp_path / "export.csv", ["Response ID", "Shop", "Date", "Recommend?"], [r[:4] for r in rows])
    summary = suggest_mapping(path).summary.set_index("column")
    assert summary.loc["Response ID", "confidence"] == "low"
    assert "values repeat" in summary.loc["Response ID", "why"]


def test_a_seven_point_csat_gets_its_scale(tmp_path):
    rows = [[r[0], r[1], r[2], str(1 + i % 7)] for i, r in enumerate(_rows())]
    path = _csv(tmp_path / "export.csv", ["Response ID", "Shop", "Date", "How satisfied are you?"], rows)
    s = suggest_mapping(path)
    assert s.scales == {"csat": (1, 7)}
    assert read_mapping(_save(s, tmp_path)).scales["csat"] == (1, 7)


def _save(s: MappingSuggestion, folder: Path) -> Path:
    out = folder / "mapping.yml"
    out.write_text(s.yaml, encoding="utf-8")
    return out


@pytest.mark.parametrize("lang", ["en", "lt", "pl"])
def test_the_yaml_loads_the_file_without_losing_a_row(tmp_path, lang):
    encoding = {"lt": "cp1257", "pl": "cp1250"}.get(lang, "utf-8")
    rows = [r[:6] + [""] for r in _rows()] if lang == "pl" else _rows()
    _csv(tmp_path / "survey_export.csv", HEADERS[lang], rows, encoding=encoding)
    s = suggest_mapping(tmp_path / "survey_export.csv")
    mapping = read_mapping(_save(s, tmp_path))
    assert mapping.table("responses").columns == s.columns and mapping.table("responses").file == "survey_export.csv"
    ds = cx.load(tmp_path, mapping=tmp_path / "mapping.yml")
    assert ds.log["rows_in"].sum() == ds.log["rows_loaded"].sum() == 40
    assert ds.responses["nps"].tolist() == [i % 11 for i in range(40)]
    assert {"response_id", "unit", "date", "nps", "csat", "ces", "comment"} <= set(ds.responses.columns)


def test_the_yaml_works_for_workbooks_and_survey_platform_exports(tmp_path):
    header = HEADERS["en"]
    frame = pd.DataFrame(_rows(), columns=header)
    frame.to_excel(tmp_path / "export.xlsx", index=False)
    s = suggest_mapping(tmp_path / "export.xlsx")
    assert s.columns == dict(zip(header, FIELDS))
    # Qualtrics: short names, then a row of question texts and a row of ImportIds
    qualtrics = tmp_path / "qualtrics"
    qualtrics.mkdir()
    short = ["ResponseId", "Shop", "RecordedDate", "Q1", "Q2", "Q3", "Q4"]
    imports = [f'"{{""ImportId"":""QID{i}""}}"' for i in range(7)]
    _csv(qualtrics / "responses.csv", short, [[f'"{h}"' for h in header], imports, *_rows()], sep=",")
    s = suggest_mapping(qualtrics / "responses.csv")
    assert s.columns == {"ResponseId": "response_id", "Shop": "unit", "RecordedDate": "date", "Q1": "nps",
                         "Q2": "csat", "Q4": "comment"}  # Q3 (1-5, like Q2) is left to the analyst
    ds = cx.load(qualtrics, mapping=_save(s, tmp_path))
    assert ds.log["rows_in"].sum() == ds.log["rows_loaded"].sum() == 40


def test_a_very_long_question_text_is_a_valid_yaml_key(tmp_path):
    question = "How likely are you to recommend us? " + "Please think of your last visit. " * 40
    rows = [r[:4] for r in _rows()]
    path = _csv(tmp_path / "responses.csv", ["Response ID", "Shop", "Date", question.strip()], rows)
    s = suggest_mapping(path)
    assert read_mapping(_save(s, tmp_path)).table("responses").columns[question.strip()] == "nps"
    assert cx.load(tmp_path, mapping=tmp_path / "mapping.yml").log["rows_loaded"].sum() == 40


def test_summary_and_yaml_say_why_and_what_is_missing(tmp_path):
    path = _csv(tmp_path / "export.csv", ["Respondent", "Comment"], [[r[0], r[6]] for r in _rows()])
    s = suggest_mapping(path)
    assert list(s.summary.columns) == ["column", "suggested", "confidence", "why"]
    assert s.missing == ["unit", "date"] and not s.has_score
    assert '# no column found for unit (required): add a line "<your header>": unit' in s.yaml
    assert "# no score column found (nps, csat or ces)" in s.yaml
    assert "no column found for the required 'unit' column" in str(s)
    assert read_mapping(_save(s, tmp_path)).table("responses").columns == s.columns


# ---------------------------------------------------------------------------------------
# the commands


def test_suggest_mapping_command_prints_or_writes_the_yaml(tmp_path, capsys):
    path = _csv(tmp_path / "export.csv", HEADERS["lt"], encoding="cp1257")
    assert main(["suggest-mapping", str(path)]) == 0
    out = capsys.readouterr().out
    assert out == suggest_mapping(path).yaml
    assert '"Kaip tikėtina, kad rekomenduotumėte mūsų parduotuvę draugams?": nps  # high: wording' in out
    assert main(["suggest-mapping", str(path), "--out", str(tmp_path / "m.yml")]) == 0
    out = capsys.readouterr().out
    assert f"Mapping suggestion written to {tmp_path / 'm.yml'}" in out and "Parduotuvė" in out
    assert read_mapping(tmp_path / "m.yml").table("responses").columns["Parduotuvė"] == "unit"
    assert main(["suggest-mapping", str(tmp_path / "nowhere.csv")]) == 2
    assert "file not found" in capsys.readouterr().err


def test_validate_shows_the_suggestion_with_the_real_headers_when_columns_are_missing(tmp_path, capsys):
    _csv(tmp_path / "responses.csv", ["Response number", "Shop", "Answered on", "How likely to recommend us?"],
         [r[:4] for r in _rows()], sep=",")
    # one file read as a table, not a survey platform's export: its columns must be named or mapped, and
    # validate shows the suggestion
    assert main(["validate", str(tmp_path / "responses.csv"), "--table", "responses"]) == 2
    err = capsys.readouterr().err
    assert "expected a column named 'response_id'" in err and "Suggested mapping for responses.csv" in err
    assert '"Response number": response_id' in err and '"How likely to recommend us?": nps  # high' in err
    assert '"Answered on": date' in err


def test_a_qualtrics_like_file_read_as_a_table_needs_no_mapping(tmp_path, capsys):
    # Qualtrics' column names (ResponseId, RecordedDate): recognised, read with no mapping, the unit after the file
    _csv(tmp_path / "responses.csv", ["ResponseId", "Shop", "RecordedDate", "How likely to recommend us?"],
         [r[:4] for r in _rows()], sep=",")
    assert main(["validate", str(tmp_path / "responses.csv"), "--table", "responses"]) == 0
    assert "platform: Qualtrics" in capsys.readouterr().out


def test_a_responses_file_without_any_score_column_is_an_error(tmp_path, capsys):
    _csv(tmp_path / "responses.csv", ["response_id", "unit", "date", "Rating", "comment"],
         [r[:3] + ["good", r[6]] for r in _rows()], sep=",")
    assert main(["validate", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert "No problems found" not in captured.out
    err = captured.err
    assert "responses.csv, row 1, column 'nps or csat or ces': value '(missing)' - expected at least one score " \
           "column (nps, csat, ces), named so or mapped in the mapping file" in err
    assert "columns seen: 'response_id', 'unit', 'date', 'Rating', 'comment'" in err
    assert "Suggested mapping for responses.csv" in err and "# no score column found" in err
    assert main(["validate", str(tmp_path / "responses.csv"), "--table", "responses"]) == 2
    assert "at least one score column" in capsys.readouterr().err


def test_a_score_column_found_by_the_suggestion_is_shown(tmp_path, capsys):
    _csv(tmp_path / "responses.csv", ["response_id", "unit", "date", "Would you recommend us?"],
         [r[:4] for r in _rows()], sep=",")
    assert main(["validate", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "columns seen: 'response_id', 'unit', 'date', 'Would you recommend us?'" in err
    assert '"Would you recommend us?": nps  # high' in err
    write(tmp_path / "mapping.yml", suggest_mapping(tmp_path / "responses.csv").yaml)
    assert main(["validate", str(tmp_path)]) == 0
    assert "No problems found." in capsys.readouterr().out


def test_validate_of_other_tables_needs_no_score(tmp_path, capsys):
    write(tmp_path / "units.csv", "unit,region\nA,North\n")
    assert main(["validate", str(tmp_path / "units.csv"), "--table", "units"]) == 0
    assert "No problems found." in capsys.readouterr().out
