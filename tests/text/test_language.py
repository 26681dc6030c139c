"""Comment language: text folding, the language options of themes() and language detection."""
from __future__ import annotations

import pandas as pd
import pytest

import cxkit as cx
from cxkit.text.language import fold_text


def test_fold_text():
    assert fold_text("Ąžuolas ĖĮŲ Łódź Ģirts ļoti Straße") == "azuolas eiu lodz girts loti strasse"


# --------------------------------------------------------------------------------------
# language handling


def test_language_options():
    df = pd.DataFrame({"comment": ["Pristatymas vėlavo", "Delivery late", "Kaina ok", None],
                       "language": ["lt", "xx", None, None]})
    by_column = cx.themes(df)  # unknown / empty codes -> detected, else every dictionary
    assert by_column["delivery"].tolist() == [True, True, False, False]
    assert by_column["price"].tolist() == [False, False, True, False]
    fixed = cx.themes(df, language="en")
    assert fixed["delivery"].tolist() == [False, True, False, False]
    assert cx.themes(df, language=None)["delivery"].tolist() == [True, True, False, False]
    assert cx.themes(df.drop(columns="language"))["delivery"].tolist() == [True, True, False, False]
    with pytest.raises(cx.ConfigError, match="language="):
        cx.themes(df, language="lithuanian")
    with pytest.raises(cx.ConfigError, match="text="):
        cx.themes(df, text="verbatim")


def test_detect_language_on_the_sample_never_guesses_wrong(sample):
    r = sample.responses.dropna(subset=["comment"])
    guess = cx.detect_language(r["comment"])
    decided = guess.notna()
    assert (guess[decided] == r.loc[decided, "language"].astype(str)).all()
    assert decided.mean() > 0.75
    assert cx.detect_language("Ļoti laipns personāls") == "lv" and cx.detect_language("") is None
