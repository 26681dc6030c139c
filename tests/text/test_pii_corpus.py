"""Recall and false alarms of :func:`cx.find_pii` on a labelled corpus of lt / pl / lv / en comments
(``pii_corpus.yml``, written by ``make_pii_corpus.py`` from hand-written templates; its labels come from the
templates' slots, not from cxkit).

* recall, per kind: the share of planted items that redaction removes entirely (whatever kind it reports);
* false alarms: must-keep values (prices, dates, order numbers ...) that a finding touches, per category,
  and findings that overlap nothing planted.

``python tests/text/test_pii_corpus.py`` prints the table that ``docs/comments.md`` shows.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

import cxkit as cx

CORPUS = Path(__file__).with_name("pii_corpus.yml")

#: recall the rules must reach on the corpus (address is planted to measure a gap, not a promise)
MIN_RECALL = {"iban": 1.0, "email": 1.0, "card": 1.0, "personal_code": 1.0, "phone": 1.0}


def _locate(text: str, items: list[list[str]]) -> list[tuple[str, int, int]]:
    """(label, start, end) of each item, in the order written; repeated values take the next occurrence."""
    out, used = [], set()
    for label, value in items:
        start = text.find(value)
        while start in used:
            start = text.find(value, start + 1)
        assert start >= 0, (value, text)
        used.add(start)
        out.append((label, start, start + len(value)))
    return out


def measure(corpus: list[dict]) -> dict:
    """Counts per kind and category over the corpus."""
    planted, removed, kept, touched, unplanned = Counter(), Counter(), Counter(), Counter(), Counter()
    touched_by, misses, alarms = Counter(), [], []
    for row in corpus:
        text = row["text"]
        found = cx.find_pii(text)
        spans = list(zip(found["start"], found["end"]))
        pii, keep = _locate(text, row["pii"]), _locate(text, row["keep"])
        for kind, a, b in pii:
            planted[kind] += 1
            if all(any(s <= i < e for s, e in spans) for i in range(a, b)):
                removed[kind] += 1
            else:
                misses.append((kind, text[a:b], text))
        for category, a, b in keep:
            kept[category] += 1
            hits = [k for k, s, e in zip(found["kind"], found["start"], found["end"]) if s < b and a < e]
            if hits:
                touched[category] += 1
                touched_by[hits[0]] += 1
                alarms.append((category, text[a:b], text))
        for kind, s, e in zip(found["kind"], found["start"], found["end"]):
            if not any(s < b and a < e for _, a, b in pii):
                unplanned[kind] += 1
    return {"comments": len(corpus), "planted": planted, "removed": removed, "kept": kept, "touched": touched,
            "touched_by": touched_by, "unplanned": unplanned, "misses": misses, "alarms": alarms}


def table(m: dict) -> str:
    """The measurements as Markdown tables."""
    lines = [f"{m['comments']} comments (lt, pl, lv, en).", "",
             "| personal data | planted | removed | recall |", "|---|---:|---:|---:|"]
    for kind in sorted(m["planted"]):
        n, r = m["planted"][kind], m["removed"][kind]
        lines.append(f"| {kind} | {n} | {r} | {r / n:.2f} |")
    lines += ["", "| must keep | values | touched | false-alarm rate |", "|---|---:|---:|---:|"]
    for cat in sorted(m["kept"]):
        n, t = m["kept"][cat], m["touched"][cat]
        lines.append(f"| {cat} | {n} | {t} | {t / n:.2f} |")
    total = sum(m["unplanned"].values())
    lines += ["", f"Findings overlapping nothing planted: {total}"
              + (f" ({', '.join(f'{k}: {v}' for k, v in sorted(m['unplanned'].items()))})" if total else "") + "."]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def corpus():
    return yaml.safe_load(CORPUS.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def measured(corpus):
    return measure(corpus)


def test_corpus_is_large_and_labelled(corpus):
    assert len(corpus) >= 150
    assert {row["lang"] for row in corpus} == {"lt", "pl", "lv", "en"}
    assert all(Counter(row["lang"] for row in corpus)[lang] >= 40 for lang in ("lt", "pl", "lv", "en"))
    kinds = {kind for row in corpus for kind, _ in row["pii"]}
    assert set(cx.PII_KINDS) <= kinds
    categories = {cat for row in corpus for cat, _ in row["keep"]}
    assert {"price", "date", "time", "percent", "order", "tracking", "postal", "quantity"} <= categories


def test_recall_per_kind(measured):
    print("\n" + table(measured))
    for kind, floor in MIN_RECALL.items():
        recall = measured["removed"][kind] / measured["planted"][kind]
        missed = [(v, t) for k, v, t in measured["misses"] if k == kind]
        assert recall >= floor, (kind, recall, missed)


def test_no_false_alarms_on_values_to_keep(measured):
    assert measured["alarms"] == []
    assert sum(measured["unplanned"].values()) == 0


if __name__ == "__main__":
    print(table(measure(yaml.safe_load(CORPUS.read_text(encoding="utf-8")))))
