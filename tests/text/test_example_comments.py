"""Example comments (redacted, distinct, reproducible) and theme flags computed once and reused."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxkit as cx


# --------------------------------------------------------------------------------------
# example comments


def test_example_comments_are_redacted_distinct_and_reproducible():
    df = pd.DataFrame({
        "response_id": [f"R{i}" for i in range(8)],
        "comment": ["Kurjeris vėlavo, skambinkite 861234567", "Pristatymas vėlavo.", "Pristatymas vėlavo.",
                    "Pristatymas buvo greitas", "Gera kaina", "Pristatymo laukiau savaitę, rašykite ona@example.lt",
                    "Pristatymas ok", None],
        "nps": [2, 4, 4, 10, 9, 3, 8, 5], "language": "lt"})
    a = cx.example_comments(df, theme="delivery", n=3, seed=1)
    b = cx.example_comments(df, theme="delivery", n=3, seed=1)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == ["response_id", "nps", "language", "comment"] and len(a) == 3
    every = cx.example_comments(df, theme="delivery", n=10)
    assert len(every) == 5  # 6 delivery comments, one a duplicate
    assert "[phone]" in every["comment"].iloc[0] and "861234567" not in " ".join(every["comment"])
    assert "[email]" in " ".join(every["comment"])
    raw = cx.example_comments(df, theme="delivery", n=10, redact=False)
    assert "861234567" in " ".join(raw["comment"])
    det = cx.example_comments(df, theme="delivery", n=10, group="detractor")
    assert det["response_id"].tolist() == ["R0", "R1", "R5"]
    with pytest.raises(cx.ConfigError, match="theme="):
        cx.example_comments(df, theme="parking")
    with pytest.raises(cx.ConfigError, match="group="):
        cx.example_comments(df, theme="delivery", group="critics")


def test_examples_exclude_shown_rows_and_take_groups_in_order_of_preference():
    df = pd.DataFrame({
        "response_id": [f"R{i}" for i in range(7)],
        "comment": ["Pristatymas vėlavo", "Pristatymas vėlavo", "Kurjeris vėlavo", "Pristatymas ok",
                    "Greitas pristatymas", "Pristatymas greitas, ačiū", "Pristatymas vidutiniškas"],
        "nps": [2, 9, 5, 8, 10, 9, 7], "language": "lt",
        "touchpoint": ["store", "website", None, "store", "store", "website", "store"]})
    # the rows shown already are left out, and so is the same text in another row (R1 repeats R0)
    got = cx.example_comments(df, theme="delivery", n=10, exclude=["no such row", 0], score="nps")
    assert got.index.tolist() == [2, 3, 4, 5, 6]
    assert list(got.columns) == ["response_id", "touchpoint", "nps", "language", "comment"]
    assert got.loc[3, "touchpoint"] == "store" and pd.isna(got.loc[2, "touchpoint"])
    # in order of preference: both detractors, then passives until there are n
    order = cx.example_comments(df, theme="delivery", n=3, group=("detractor", "passive"))
    assert order["nps"].tolist()[:2] == [2, 5] and order["nps"].iloc[2] in (7, 8)
    only = cx.example_comments(df, theme="delivery", n=10, group=("detractor", "passive"))
    assert sorted(only["nps"]) == [2, 5, 7, 8]  # never a promoter; R1 is a promoter with R0's text
    assert cx.example_comments(df, theme="delivery", n=10, group="promoter")["nps"].tolist() == [9, 10, 9]
    with pytest.raises(cx.ConfigError, match="group="):
        cx.example_comments(df, theme="delivery", group=())


def test_flags_computed_once_give_the_same_summary_and_examples():
    """A report matches the comments once and passes the flags on: the results must not change."""
    rng = np.random.default_rng(3)
    pool = ["Pristatymas vėlavo.", "Dostawa spóźniona, ŁÓDŹ", "Cena za wysoka", "Piegāde kavējās", "Great staff",
            "Pristatymas vėlavo.", "Kaina per didelė", None]
    df = pd.DataFrame({"comment": rng.choice(np.array(pool, dtype=object), 400),
                       "nps": rng.integers(0, 11, 400), "language": rng.choice(["lt", "pl", "lv", "en", None], 400)},
                      index=pd.RangeIndex(1000, 1400))
    flags = cx.themes(df)
    pd.testing.assert_frame_equal(cx.theme_summary(df, min_n=10, flags=flags).summary,
                                  cx.theme_summary(df, min_n=10).summary)
    for theme in ("delivery", "price", "staff"):
        pd.testing.assert_frame_equal(cx.example_comments(df, theme=theme, n=3, flags=flags),
                                      cx.example_comments(df, theme=theme, n=3))
    with pytest.raises(cx.ConfigError, match="same data"):
        cx.theme_summary(df, flags=flags.iloc[:10])
    with pytest.raises(cx.ConfigError, match="True/False"):
        cx.example_comments(df, theme="price", flags=flags.astype(int))


def test_repeated_comments_are_folded_once_with_the_same_flags():
    """Folding only distinct comments (fast path) flags exactly what folding every row does."""
    from cxkit.text.dictionaries import _resolve_dictionary, _theme_regex
    from cxkit.text.language import fold_text
    from cxkit.text.theme_flags import _flags

    comments = pd.Series(["Pristatymą vėlavo", "PRISTATYMĄ vėlavo", None, "Dostawę", "dostawe", "Łódź cena"] * 5,
                         dtype="string[pyarrow]")
    langs = pd.Series(["lt", "lt", None, "pl", "pl", "pl"] * 5, dtype=object)
    d = _resolve_dictionary(None)
    got = _flags(comments, langs, d)
    assert got["delivery"].sum() == 20 and got["price"].sum() == 5  # 4 delivery and 1 price text, 5 times each
    # independent per-row computation: each comment folded and matched on its own
    for i, (c, lang) in enumerate(zip(comments, langs)):
        for theme in got.columns:
            if pd.isna(c):
                assert not got.iloc[i][theme]
                continue
            entries = tuple(e for e in d.get(lang, {}).get(theme, [])) if lang in d else \
                tuple(e for b in d.values() for e in b.get(theme, []))
            rx = _theme_regex(entries) if entries else None
            assert got.iloc[i][theme] == (rx is not None and rx.search(fold_text(c)) is not None), (c, theme)
