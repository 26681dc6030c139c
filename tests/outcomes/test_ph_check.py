"""The Cox model's own engine (cxkit.outcomes._cox) against lifelines, and its proportional-hazards check.

Expected values come from an independent implementation: lifelines 0.30 ``CoxPHFitter`` (Efron ties,
Newton-Raphson) and ``proportional_hazard_test(..., time_transform="rank")`` on the same data. Tolerances
(stated in docs/statistics.md, section 11, "The Cox model at scale"):

- coefficients, standard errors: 1e-5 absolute (cxkit converges to ~1e-9; lifelines stops at its own step
  size, ~1e-6 on the standard errors);
- partial log-likelihood and concordance: 1e-6;
- proportional-hazards statistics without tied event times: 1e-5 relative. With ties lifelines ranks tied
  events in row order (its ``cumsum`` of the event flags), cxkit gives them their mid-rank, so that the
  result does not depend on the row order; on Rossi's data (weeks, many ties) the statistics agree within 0.1
  on the chi-squared scale or 10%, and the same terms are flagged.
"""
import warnings

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter
from lifelines.datasets import load_rossi
from lifelines.statistics import proportional_hazard_test

import cxkit as cx
from cxkit.outcomes._cox import fit_cox
from cxkit.outcomes._inputs import _pattern_design

ROSSI_TERMS = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]


def _lifelines(df, terms, duration, event, strata=None):
    cols = terms + [duration, event] + ([strata] if strata else [])
    cph = CoxPHFitter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cph.fit(df[cols], duration, event, strata=[strata] if strata else None)
        ph = proportional_hazard_test(cph, df[cols], time_transform="rank")
    return cph, ph.summary["test_statistic"]


def _cxkit(df, terms, duration, event, strata=None):
    X, pattern, ok, _, _ = _pattern_design(df, terms)
    assert ok.all()
    S = None if strata is None else pd.factorize(df[strata])[0]
    return fit_cox(X, pattern, df[duration].to_numpy(float), df[event].to_numpy().astype(bool), S)


def _untied(seed=5, n=300):
    rng = np.random.default_rng(seed)
    g = rng.integers(0, 3, n)
    age = rng.normal(40, 10, n).round()
    t = rng.exponential(1 / (0.05 * np.exp(0.4 * (g == 1) + 0.8 * (g == 2) + 0.02 * (age - 40))))
    cens = rng.uniform(5, 40, n)
    return pd.DataFrame({"g1": (g == 1).astype(float), "g2": (g == 2).astype(float), "age": age,
                         "months": np.minimum(t, cens), "churned": (t <= cens).astype(int)})


def test_fit_and_ph_statistics_agree_with_lifelines_without_ties():
    df = _untied()
    assert df["months"].nunique() == len(df)
    terms = ["g1", "g2", "age"]
    cph, ph = _lifelines(df, terms, "months", "churned")
    fit = _cxkit(df, terms, "months", "churned")
    assert fit.params_[terms].to_numpy() == pytest.approx(cph.params_[terms].to_numpy(), abs=1e-5)
    assert fit.standard_errors_[terms].to_numpy() == pytest.approx(cph.standard_errors_[terms].to_numpy(), abs=1e-5)
    assert fit.log_likelihood_ == pytest.approx(cph.log_likelihood_, abs=1e-5)
    assert fit.concordance_index_ == pytest.approx(cph.concordance_index_, abs=1e-5)
    lr = cph.log_likelihood_ratio_test()
    assert fit.log_likelihood_ratio_test().test_statistic == pytest.approx(lr.test_statistic, abs=1e-5)
    assert fit.ph_test["statistic"][terms].to_numpy() == pytest.approx(ph[terms].to_numpy(), rel=1e-5)


def test_ties_and_collapsing_agree_with_lifelines_on_rossi():
    # Rossi: weeks 1-52, 114 arrests on 49 distinct weeks: Efron's correction in nearly every event time,
    # and the collapsed cells (week, arrest, covariate pattern) must give the row-level likelihood exactly
    df = load_rossi()
    cph, ph = _lifelines(df, ROSSI_TERMS, "week", "arrest")
    fit = _cxkit(df, ROSSI_TERMS, "week", "arrest")
    assert fit.params_[ROSSI_TERMS].to_numpy() == pytest.approx(cph.params_[ROSSI_TERMS].to_numpy(), abs=1e-5)
    assert fit.standard_errors_[ROSSI_TERMS].to_numpy() == pytest.approx(
        cph.standard_errors_[ROSSI_TERMS].to_numpy(), abs=1e-5)
    assert fit.log_likelihood_ == pytest.approx(cph.log_likelihood_, abs=1e-5)
    assert fit.concordance_index_ == pytest.approx(cph.concordance_index_, abs=1e-5)
    assert fit.ph_test["statistic"][ROSSI_TERMS].to_numpy() == pytest.approx(ph[ROSSI_TERMS].to_numpy(), rel=0.1,
                                                                              abs=0.1)
    assert set(fit.ph_test.index[fit.ph_test["p"] < 0.05]) == set(ph.index[ph > 3.841459])  # chi2(1) 95%


def test_duplicated_rows_are_exact_weights():
    # every row twice: same estimate as lifelines on the doubled data (collapsing counts rows, it does not
    # merge them)
    df = load_rossi()
    twice = pd.concat([df, df], ignore_index=True)
    cph, _ = _lifelines(twice, ROSSI_TERMS, "week", "arrest")
    fit = _cxkit(twice, ROSSI_TERMS, "week", "arrest")
    assert fit.params_[ROSSI_TERMS].to_numpy() == pytest.approx(cph.params_[ROSSI_TERMS].to_numpy(), abs=1e-5)
    assert fit.standard_errors_[ROSSI_TERMS].to_numpy() == pytest.approx(
        cph.standard_errors_[ROSSI_TERMS].to_numpy(), abs=1e-5)


def test_stratified_fit_agrees_with_lifelines():
    df = load_rossi()
    terms = [t for t in ROSSI_TERMS if t != "wexp"]
    cph, _ = _lifelines(df, terms, "week", "arrest", strata="wexp")
    fit = _cxkit(df, terms, "week", "arrest", strata="wexp")
    assert fit.params_[terms].to_numpy() == pytest.approx(cph.params_[terms].to_numpy(), abs=1e-5)
    assert fit.standard_errors_[terms].to_numpy() == pytest.approx(cph.standard_errors_[terms].to_numpy(), abs=1e-5)
    assert fit.log_likelihood_ == pytest.approx(cph.log_likelihood_, abs=1e-5)


def _cohort(rng, n, crossing):
    """Two groups, uniform censoring at 6-24 months. PH: hazards 0.05 and 0.10 per month (HR 2).
    Crossing: group b 0.10 before month 6 and 0.025 after (HR 2, then 0.5)."""
    x = rng.random(n) < 0.5
    if crossing:
        early = rng.exponential(1 / 0.10, n)
        tb = np.where(early < 6, early, 6 + rng.exponential(1 / 0.025, n))
        t = np.where(x, tb, rng.exponential(1 / 0.05, n))
    else:
        t = rng.exponential(1 / np.where(x, 0.10, 0.05))
    cens = rng.uniform(6, 24, n)
    return pd.DataFrame({"group": np.where(x, "b", "a"), "months": np.minimum(t, cens), "churned": t <= cens})


def _rejections(crossing, reps=400, n=300, seed=2024):
    rng = np.random.default_rng(seed)
    p = [cx.cox_model(_cohort(rng, n, crossing), by="group", reference="a").summary["ph_p_value"].iloc[0]
         for _ in range(reps)]
    return float(np.mean(np.array(p) < 0.05))


def test_ph_check_size_under_proportional_hazards():
    # 400 seeded cohorts of 300 with truly proportional hazards: the test at 5% rejects in 5% of them, within
    # 3 Monte-Carlo standard errors (sqrt(0.05 x 0.95 / 400) = 1.1%); 1000 cohorts gave 4.0%
    assert 0.05 - 3 * 0.0109 <= _rejections(False) <= 0.05 + 3 * 0.0109


def test_ph_check_power_against_crossing_hazards():
    # hazard ratio 2 in the first 6 months, 0.5 after: with n = 300 the test finds it in at least 80% of
    # 400 seeded cohorts (1000 cohorts gave 89.4%; n = 200 gave 73.3%)
    assert _rejections(True) >= 0.80


def test_cox_model_notes_say_the_check_ran():
    rng = np.random.default_rng(3)
    fit = cx.cox_model(_cohort(rng, 300, True), by="group", reference="a")
    assert fit.summary["ph_p_value"].notna().all()
    assert any("Proportional hazards questionable" in n or "check passed" in n for n in fit.notes)
    assert fit.model.ties == "efron"
