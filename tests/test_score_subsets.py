"""Issue 21: any subset of the scores (NPS only, CSAT only, CES only, any two), with or without the
optional tables, works everywhere: validate, metrics, the analysis functions and a whole batch.

Each data set is the sample (1,500 responses, seed 7) without the other scores' columns, and without
the rows that then hold no score at all (the contract rejects a response without any score).
"""
from __future__ import annotations

import html
import itertools
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

import cxkit as cx
from cxkit.cli import main

SCORES = ("nps", "csat", "ces")
SUBSETS = [keep for k in (1, 2, 3) for keep in itertools.combinations(SCORES, k)]
#: optional tables left out for some subsets (the cheap layers run every subset)
DROPPED = {("nps",): ("tickets", "customers"), ("csat", "ces"): ("revenue", "units"),
           ("ces",): ("tickets", "customers", "revenue", "units")}
OPTIONAL = ("tickets", "customers", "revenue", "units")


def _name(keep, dropped=()) -> str:
    return "_".join(keep) + ("-without-" + "_".join(dropped) if dropped else "")


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("subsets") / "sample"
    cx.write_sample(folder, rows=1500, seed=7)
    return folder


def make(sample: Path, folder: Path, keep, dropped=()) -> Path:
    """The sample with only the ``keep`` scores and without the ``dropped`` tables."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in sample.iterdir():
        table = path.name.split(".")[0]
        if table in dropped:
            continue
        if table == "responses":
            r = pd.read_csv(path, dtype=str, keep_default_na=False)
            r = r.drop(columns=[c for c in SCORES if c not in keep])
            r = r[(r[list(keep)] != "").any(axis=1)]  # a response without any score is not a response
            r.to_csv(folder / path.name, index=False)
        else:
            shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture(scope="module")
def folders(sample, tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("subset_data")
    return {keep: make(sample, root / _name(keep, DROPPED.get(keep, ())), keep, DROPPED.get(keep, ()))
            for keep in SUBSETS}


@pytest.mark.parametrize("keep", SUBSETS, ids=_name)
def test_validate_passes_and_names_the_missing_scores(folders, keep, capsys):
    assert main(["validate", str(folders[keep])]) == 0
    out = capsys.readouterr().out
    assert "No problems found." in out
    for score in set(SCORES) - set(keep):
        assert f"no {score} column" in out


@pytest.mark.parametrize("keep", SUBSETS, ids=_name)
def test_metrics_skips_what_is_absent_and_says_which(folders, keep, capsys):
    assert main(["metrics", str(folders[keep])]) == 0
    captured = capsys.readouterr()
    out, err = captured.out, captured.err
    dropped = DROPPED.get(keep, ())
    for score in SCORES:
        if score in keep:
            assert f"\n{score} " in out or f" {score} " in out
        else:
            assert f"(skipped {score}: the responses have no '{score}' column)" in err
            assert f"{score} (the responses have no '{score}' column)" in out
    if "tickets" in dropped:
        assert "(skipped first_response_time: no tickets table)" in err
    if "customers" in dropped:
        assert "(skipped churn_rate: no customers table)" in err
    assert "Traceback" not in err and "KeyError" not in err


def test_metrics_with_nothing_to_compute_is_a_plain_error(folders, capsys):
    assert main(["metrics", str(folders[("nps",)]), "--metrics", "csat,ces"]) == 2
    err = capsys.readouterr().err
    assert "\ncxkit: none of the metrics could be computed" in err
    assert "csat (the responses have no 'csat' column)" in err


def _works_or_names(fn, column: str, available: bool):
    """``fn()`` works when the column is there; otherwise a cxkit error naming it, never a raw error."""
    if available:
        return fn()
    with pytest.raises(cx.CxkitError, match=column):
        fn()
    return None


@pytest.mark.parametrize("keep", SUBSETS, ids=_name)
def test_every_analysis_function_works_or_names_the_missing_score(folders, keep):
    ds = cx.load(folders[keep])
    r = ds.responses
    single = {"nps": cx.nps, "csat": cx.csat, "ces": cx.ces}
    for score in SCORES:
        there = score in keep
        if there:
            assert single[score](r[score]).n > 0
        _works_or_names(lambda s=score: cx.metric_table(r, metric=s, by="unit"), score, there)
        _works_or_names(lambda s=score: cx.compare(r, metric=s, by="unit"), score, there)
        _works_or_names(lambda s=score: cx.trend(r, metric=s, freq="M"), score, there)
        _works_or_names(lambda s=score: cx.relative_weights(r, outcome=s, n_boot=20), score, there)
        _works_or_names(lambda s=score: cx.theme_summary(r, score=s), score, there)
    if ds.customers is None:
        return
    joined = _works_or_names(lambda: cx.join_outcomes(r, ds.customers, ds.revenue), "nps", "nps" in keep)
    if joined is not None:
        assert len(cx.churn_relative_risk(joined))
    _works_or_names(lambda: cx.unit_outcomes(r, ds.customers, ds.revenue), "nps", "nps" in keep)


def _page_text(path: Path) -> str:
    text = re.sub(r"<style.*?</style>|<script.*?</script>", "", path.read_text(encoding="utf-8"), flags=re.S)
    text = re.sub(r"<img[^>]*>", " [chart] ", text)
    text = re.sub(r'<nav [^>]*class="cxkit-toc".*?</nav>', " ", text, flags=re.S)  # the contents repeat the headings
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))


def _part(text: str, heading: str, next_heading: str) -> str:
    return text.split(heading, 1)[1].split(next_heading, 1)[0]


BATCHES = [(("csat",), (), "en"), (("ces",), (), "lt"), (("nps",), (), "en"),
           (("csat", "ces"), ("tickets", "customers"), "pl")]


@pytest.mark.parametrize("keep,dropped,lang", BATCHES, ids=[_name(k, d) for k, d, _ in BATCHES])
def test_a_batch_shows_the_scores_there_are_and_one_sentence_for_the_others(sample, tmp_path, keep, dropped, lang):
    data = make(sample, tmp_path / "data", keep, dropped)
    unit = sorted(pd.read_csv(data / "responses.csv")["unit"].unique())[0]
    res = cx.run_batch(data, tmp_path / "out", units=[unit], progress=False, lang=lang)
    assert res.exit_code == 0
    page = _page_text(next((tmp_path / "out" / "units").glob("*.html")))
    summary = _page_text(tmp_path / "out" / "summary.html")
    missing = [s for s in SCORES if s not in keep]
    t = lambda key: cx.t(key, lang)  # noqa: E731
    sentence = {s: t("missing_score").format(column=s, name=t(s).split(" (")[0]) for s in SCORES}
    headline = _part(page, t("headline"), t("trends"))
    for score in keep:
        assert t(score) in headline
    for score in missing:
        assert t(score) not in headline
    trends = _part(page, t("trends"), t("nps_distribution"))
    shown = [s for s in ("nps", "csat", "ces") if s in keep]
    assert trends.count("[chart]") == len(shown)  # one chart per score shown, none empty
    for score in ("nps", "csat", "ces"):
        assert (sentence[score] in trends) == (score not in keep)
    distribution = _part(page, t("nps_distribution"), t("journey"))
    assert distribution.count("[chart]") == ("nps" in keep)
    if "nps" not in keep:  # the sections measured on NPS say so in one sentence, and draw nothing
        for heading, after in (("nps_distribution", "journey"), ("journey", "outcomes"), ("outcomes", "drivers"),
                               ("drivers", "themes")):
            part = _part(page, t(heading), t(after))
            assert sentence["nps"] in part and "[chart]" not in part
        assert "[chart]" in _part(summary, t("league"), t("movers"))  # the league of a score there is
        assert sentence["nps"] in _part(summary, t("units_vs_outcomes"), t("regions"))
    for score in missing:
        assert sentence[score] in page.split(t("data_notes"), 1)[1]
    assert "Traceback" not in page and "KeyError" not in page and "KeyError" not in summary


def test_a_responses_file_without_any_score_is_a_header_error_in_the_library(tmp_path):
    """Each score is optional, but not all of them: the library says so, naming the columns it saw."""
    path = tmp_path / "responses.csv"
    path.write_text("response_id,unit,date,Rating\nR1,Riga,2025-01-02,good\n", encoding="utf-8")
    with pytest.raises(cx.DataValidationError) as err:
        cx.read_table(path, "responses", errors="quarantine")
    problem = err.value.problems.iloc[0]
    assert (problem["column"], problem["value"]) == ("nps or csat or ces", "(missing)")
    assert "columns seen: 'response_id', 'unit', 'date', 'Rating'" in problem["expected"]
