"""The key-driver chart shows a performance quadrant only where the mean ratings really differ; names are
translated, the dominant driver is marked in colour and in words; the report says which view it chose."""
from __future__ import annotations

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import cxkit as cx
from cxkit.drivers import dominant_driver, performance_spread
from cxkit.plots import _ACCENT, _DARK

DRIVERS = ["attr_delivery", "attr_staff", "attr_price"]


def _survey(rng, means, *, n=600, low=0, high=10, weights=(0.6, 0.25, 0.15), noise=1.2):
    """Ratings around ``means`` sharing a 'mood' factor, and an NPS answer driven by them with ``weights``."""
    mood = rng.normal(size=n)
    cols = {d: np.clip(np.round(m + 0.8 * mood + rng.normal(0, noise, n)), low, high) for d, m in zip(DRIVERS, means)}
    df = pd.DataFrame(cols)
    centred = (df - df.mean()) / df.std()
    df["nps"] = np.clip(np.round(7 + 2 * (centred.to_numpy() @ np.array(weights)) + rng.normal(0, 1, n)), 0, 10)
    return df


def _paired_interval(a, b, k, confidence=0.95):
    """Paired t interval of mean(a - b), Bonferroni-adjusted for k(k-1)/2 pairs (computed here with scipy)."""
    d = np.asarray(a, float) - np.asarray(b, float)
    level = 1 - (1 - confidence) / (k * (k - 1) / 2)
    return stats.t.interval(level, len(d) - 1, loc=d.mean(), scale=stats.sem(d))


def _texts(ax) -> list[str]:
    return ([t.get_text() for t in ax.texts] + [t.get_text() for t in ax.get_yticklabels()]
            + [t.get_text() for t in ax.get_xticklabels()] + [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()])


# --------------------------------------------------------------------------------------
# the decision


def test_a_small_spread_of_the_means_gives_importance_bars(rng):
    df = _survey(rng, (7.0, 7.1, 7.2))
    res = cx.relative_weights(df, n_boot=100)
    s = performance_spread(res)
    means = df[DRIVERS].mean()
    assert s.highest == means.idxmax() and s.lowest == means.idxmin()
    assert s.diff == pytest.approx(means.max() - means.min())
    assert s.scale == (0.0, 10.0) and s.threshold == pytest.approx(0.5)  # 5% of a 0-10 scale
    assert s.diff < 0.5 and not s.large and not s.meaningful
    ax = cx.plot_drivers(res)  # kind="auto"
    assert len(ax.patches) == 3 and "Fix first" not in _texts(ax)
    assert ax.get_xlabel() == "Share of explained variance of NPS (%), 95% intervals"


def test_a_large_significant_spread_gives_the_quadrant(rng):
    df = _survey(rng, (5.0, 7.0, 8.5))
    res = cx.relative_weights(df, n_boot=100)
    s = performance_spread(res)
    lo, hi = _paired_interval(df["attr_price"], df["attr_delivery"], k=3)
    assert (s.highest, s.lowest) == ("attr_price", "attr_delivery")
    assert s.diff == pytest.approx((df["attr_price"] - df["attr_delivery"]).mean())
    assert (s.ci_low, s.ci_high) == pytest.approx((lo, hi))
    assert s.diff > 3 and lo > 0 and s.large and s.significant and s.meaningful
    ax = cx.plot_drivers(res)
    texts = _texts(ax)
    assert {"Fix first", "Keep up", "Lower priority", "Maintain"} <= set(texts)
    assert ax.get_xlabel() == "Performance: mean rating" and not ax.patches
    assert ax.get_title() == "Key drivers of NPS: importance vs performance"


def test_a_large_spread_that_could_be_chance_gives_bars(rng):
    # two drivers 0.7 points apart on average, but their difference varies widely over only 24 answers
    base = rng.integers(3, 8, 24).astype(float)
    swing = np.tile([4.0, -2.6], 12)  # mean 0.7, standard deviation 3.4
    df = pd.DataFrame({"attr_delivery": base + swing, "attr_staff": base, "attr_price": rng.integers(4, 9, 24)})
    df["nps"] = np.clip(np.round(df["attr_delivery"] * 0.5 + df["attr_staff"] * 0.4 + rng.normal(0, 1, 24)), 0, 10)
    res = cx.relative_weights(df, n_boot=50)
    s = performance_spread(res)
    lo, hi = _paired_interval(df["attr_delivery"], df["attr_staff"], k=3)
    assert (s.highest, s.lowest) == ("attr_delivery", "attr_staff")
    assert s.diff == pytest.approx(0.7) and (s.ci_low, s.ci_high) == pytest.approx((lo, hi))
    assert s.large and lo < 0 and not s.significant and not s.meaningful
    assert len(cx.plot_drivers(res).patches) == 3


def test_the_threshold_is_scaled_to_the_rating_scale(rng):
    # 1-5 ratings about 0.3 points apart: meaningful on 1-5 (threshold 0.2), not on 0-10 (0.5)
    df = _survey(rng, (3.2, 3.5, 3.35), n=3000, low=1, high=5, noise=0.6)
    res = cx.relative_weights(df, n_boot=0)
    s = performance_spread(res)
    means = df[DRIVERS].mean()
    assert res.scale == (1.0, 5.0) and s.threshold == pytest.approx(0.05 * 4)
    assert s.diff == pytest.approx(means.max() - means.min()) and 0.2 < s.diff < 0.5
    assert s.meaningful
    on_ten = performance_spread(res, scale=(0, 10))
    assert on_ten.threshold == pytest.approx(0.5) and not on_ten.meaningful
    assert cx.relative_weights(df, n_boot=0, scale=(0, 10)).scale == (0.0, 10.0)
    assert performance_spread(res, min_spread=0.1).threshold == pytest.approx(0.4)
    with pytest.raises(cx.ConfigError):
        cx.relative_weights(df, n_boot=0, scale=(5, 1))
    with pytest.raises(cx.ConfigError):
        performance_spread(res.summary)


def test_a_summary_table_alone_is_drawn_as_bars_and_unknown_texts_are_refused(rng):
    res = cx.relative_weights(_survey(rng, (5.0, 7.0, 8.5)), n_boot=50)
    assert len(cx.plot_drivers(res.summary).patches) == 3  # no ratings to test: importance only
    assert "Fix first" in _texts(cx.plot_drivers(res.summary, kind="quadrant"))
    with pytest.raises(cx.ConfigError):
        cx.plot_drivers(res, texts={"titel": "x"})


# --------------------------------------------------------------------------------------
# what the chart says


@pytest.mark.parametrize("means", [(7.0, 7.1, 7.2), (5.0, 7.0, 8.5)], ids=["bars", "quadrant"])
def test_the_chart_shows_translated_names_and_no_raw_keys(rng, means):
    res = cx.relative_weights(_survey(rng, means), n_boot=100)
    labels = {d: cx.name_of("driver", d, "lt") for d in DRIVERS}
    ax = cx.plot_drivers(res, labels=labels, title="Pagrindiniai NPS veiksniai")
    texts = _texts(ax)
    joined = " ".join(texts)
    assert {"Darbuotojai", "Kaina"} <= set(texts)
    assert any(x.startswith("Užsakymas ir pristatymas") for x in texts)
    assert ax.get_title() == "Pagrindiniai NPS veiksniai"
    assert "attr_" not in joined and "nps" not in joined
    default = cx.plot_drivers(res)  # no labels: readable keys, the outcome's name
    joined = " ".join(_texts(default))
    assert "attr_" not in joined and "nps" not in joined and "Key drivers of NPS" in default.get_title()
    assert {"staff", "price"} <= set(_texts(default))


def test_texts_replace_every_chart_string(rng):
    res = cx.relative_weights(_survey(rng, (5.0, 7.0, 8.5)), n_boot=50)
    texts = {k: cx.t(f"drivers_c_{k}", "pl") for k in cx.plots.DRIVER_TEXTS}
    ax = cx.plot_drivers(res, kind="quadrant", texts=texts)
    shown = _texts(ax)
    corners = {"Poprawić w pierwszej kolejności", "Utrzymać wysoki poziom", "Niższy priorytet", "Podtrzymywać"}
    assert corners <= set(shown)
    assert ax.get_xlabel() == "Wynik: średnia ocena" and ax.get_title() == "Kluczowe czynniki NPS: waga i ocena"
    bars = cx.plot_drivers(res, kind="bars", texts=texts)
    assert bars.get_title() == f"Kluczowe czynniki NPS (R² = {res.r2:.2f})"
    assert bars.get_xlabel() == "Udział w wyjaśnionej zmienności NPS (%), przedziały ufności 95%"


def test_the_dominant_driver_is_marked_in_colour_and_words(rng):
    # uncorrelated drivers: each weight is the squared correlation with the score, delivery's about 0.63
    x = rng.normal(size=(800, 3))
    df = pd.DataFrame(x, columns=DRIVERS)
    df["nps"] = 2 * df["attr_delivery"] + 0.7 * df["attr_staff"] + rng.normal(size=800)
    r2 = df[DRIVERS].corrwith(df["nps"]) ** 2
    assert r2.idxmax() == "attr_delivery" and r2["attr_delivery"] > 4 * r2.drop("attr_delivery").max()
    res = cx.relative_weights(df, n_boot=200)
    assert dominant_driver(res) == "attr_delivery" == dominant_driver(res.summary)
    ax = cx.plot_drivers(res, kind="bars", labels={"attr_delivery": "Delivery"})
    ticks = {t.get_text(): t for t in ax.get_yticklabels()}
    assert "Delivery (strongest)" in ticks and sum("(strongest)" in k for k in ticks) == 1
    assert mcolors.to_hex(ticks["Delivery (strongest)"].get_color()) == _ACCENT
    colours = [mcolors.to_hex(p.get_facecolor()) for p in ax.patches]  # bars in table order, largest first
    assert colours == [_ACCENT, _DARK, _DARK]
    quad = cx.plot_drivers(res, kind="quadrant", labels={"attr_delivery": "Delivery"})
    marked = [t for t in quad.texts if t.get_text() == "Delivery (strongest)"]
    assert len(marked) == 1 and mcolors.to_hex(marked[0].get_color()) == _ACCENT


def test_no_driver_is_marked_when_the_top_two_are_alike(rng):
    x = rng.normal(size=(800, 3))
    df = pd.DataFrame(x, columns=DRIVERS)
    df["nps"] = df["attr_delivery"] + df["attr_staff"] + rng.normal(size=800)  # equal in the population
    res = cx.relative_weights(df, n_boot=200)
    d = res.differences()
    top_two = d[(d["driver_a"] == res.top)].iloc[0]
    assert top_two["ci_low"] < 0 < top_two["ci_high"]  # the top driver is not clearly ahead of the next
    assert dominant_driver(res) is None
    ax = cx.plot_drivers(res, kind="bars")
    assert not any("strongest" in t.get_text() for t in ax.get_yticklabels())
    assert {mcolors.to_hex(p.get_facecolor()) for p in ax.patches} == {_DARK}


# --------------------------------------------------------------------------------------
# the report's section


@pytest.fixture(scope="module")
def kaunas(sample_dir):
    return cx.open_report(str(sample_dir), unit="Kaunas Mega")


def test_the_drivers_section_says_which_view_and_why_in_lithuanian(kaunas):
    sec = cx.drivers_section(kaunas, lang="lt", n_boot=100)
    html = " ".join(v for k, v in sec.items if k == "html")
    notes = [v for k, v in sec.items if k == "note"]
    figures = [v for k, v in sec.items if k == "figure"]
    for name in ("Užsakymas ir pristatymas", "Darbuotojai", "Produktas", "Kaina", "Svetainė", "Sąskaitos"):
        assert name in html
    # the same responses as the section: the period, or the whole history when the period is thin
    r = kaunas.current()
    if len(r.dropna(subset=["nps"])) < 90:
        r = kaunas.responses
    attrs = [c for c in r.columns if c.startswith("attr_")]
    used = r.dropna(subset=["nps", *attrs])
    means = used[attrs].mean()
    spread = means.max() - means.min()
    assert spread < 0.5  # the sample's ratings hardly differ: importance only
    spread_text = f"{spread:.2f}".replace(".", ",")
    why = notes[0]
    assert why.startswith("Veiksnių vidutiniai įvertinimai skiriasi ne daugiau kaip " + spread_text + " balo")
    assert "0,50 balo" in why and "diagramoje rodoma tik svarba" in why
    assert f"„{cx.name_of('driver', means.idxmax(), 'lt')}“ – {means.max():.2f}".replace(".", ",") in why
    assert f"„{cx.name_of('driver', means.idxmin(), 'lt')}“ – {means.min():.2f}".replace(".", ",") in why
    # the planted dominant driver is named with its share
    res = cx.relative_weights(r, n_boot=100, confidence=0.95)
    share = res.summary.set_index("driver").loc["attr_delivery", "share"]
    strongest = notes[1]
    assert strongest.startswith("Stipriausias veiksnys – „Užsakymas ir pristatymas“: "
                                + f"{share:.1f}".replace(".", ",") + "\u00a0%")
    assert "95% PI nuo " in strongest
    ax = figures[0].axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks[0] == "Užsakymas ir pristatymas (stipriausias)" and "Kaina" in ticks
    joined = " ".join(_texts(ax))
    assert "attr_" not in joined and "nps" not in joined and ax.get_title().startswith("Pagrindiniai NPS veiksniai")
