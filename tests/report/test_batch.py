"""The report batch: papermill per unit in a process pool, HTML without code, index, manifest,
failure isolation, resume, and a real-browser check of the rendered pages."""
from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import cxkit as cx
from cxkit.periods import parse_period, previous_period, year_ago
from cxkit.report import read_records, render_html, run_batch
from cxkit.report.names import unique_slugs
from cxkit.report.records import RECORD_MIME

ROOT = Path(__file__).resolve().parents[2]
PROBE = ROOT / "tests" / "fixtures" / "notebooks" / "probe_unit.ipynb"


@pytest.fixture(scope="module")
def small_data(tmp_path_factory):
    out = tmp_path_factory.mktemp("small")
    cx.write_sample(out, rows=1500, seed=7)
    return out


# ---------------------------------------------------------------------------------------
# pure helpers

def test_slugs_are_safe_readable_and_unique():
    names = ["Vilnius/Centras", "Vilnius Centras", "Klaipėda", "../../etc", "CON", "<script>", "a" * 300, ""]
    slugs = unique_slugs(names)
    assert len(set(slugs.values())) == len(names)
    assert slugs["Klaipėda"] == "klaipėda"
    for s in slugs.values():
        assert "/" not in s and "\\" not in s and not s.startswith(".") and len(s) <= 80 and s
    assert slugs["CON"] != "con"


def test_pool_workers_limit_math_threads_but_keep_the_users_setting(monkeypatch):
    from cxkit.report.executors import THREAD_VARIABLES, _limit_threads

    for var in THREAD_VARIABLES:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "3")  # the user's own choice
    _limit_threads(1)
    assert os.environ["OMP_NUM_THREADS"] == "1" and os.environ["OPENBLAS_NUM_THREADS"] == "1"
    assert os.environ["MKL_NUM_THREADS"] == "3"


def test_periods():
    assert parse_period("2025-11") == (pd.Timestamp("2025-11-01"), pd.Timestamp("2025-11-30"))
    assert parse_period("2025") == (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-31"))
    dates = pd.Series(pd.to_datetime(["2025-01-05", "2025-11-15"]))
    assert parse_period(None, dates) == (pd.Timestamp("2025-07-01"), pd.Timestamp("2025-09-30"))  # Q4 incomplete
    q4 = (pd.Timestamp("2025-10-01"), pd.Timestamp("2025-12-31"))
    assert previous_period(*q4) == (pd.Timestamp("2025-07-01"), pd.Timestamp("2025-09-30"))
    assert year_ago(*q4) == (pd.Timestamp("2024-10-01"), pd.Timestamp("2024-12-31"))
    with pytest.raises(cx.ConfigError, match="expected e.g. 2025Q4"):
        parse_period("last quarter")


def test_render_html_escapes_the_banner_and_hides_code(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("secret_code = 1", outputs=[
        nbformat.v4.new_output("display_data", data={"text/html": "<p>visible</p>"}),
        nbformat.v4.new_output("stream", name="stderr", text="a warning"),
        nbformat.v4.new_output("display_data", data={RECORD_MIME: {"name": "x", "value": 1}, "text/plain": "rec"}),
    ])]
    out = render_html(nb, tmp_path / "r.html", banner={"title": "<script>alert(1)</script>", "period": "Q4"})
    text = out.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>alert(1)" not in text
    assert "visible" in text and "secret_code" not in text and "a warning" not in text and "recorded" not in text
    assert "<script src=" not in text  # nothing loaded from the internet


# ---------------------------------------------------------------------------------------
# papermill runs of the real notebooks with tiny parameters

def test_unit_notebook_records_the_headline(small_data, tmp_path):
    import papermill as pm

    out = tmp_path / "u.ipynb"
    pm.execute_notebook(str(ROOT / "notebooks" / "unit_report.ipynb"), str(out), kernel_name="python3",
                        progress_bar=False, execution_timeout=300,
                        parameters={"data_dir": str(small_data), "unit": "Kaunas Mega",
                                    "period_start": "2025-07-01", "period_end": "2025-12-31"})
    rec = read_records(out)
    # independent computation of the recorded NPS
    r = cx.load(small_data).responses
    sub = r[(r["unit"] == "Kaunas Mega") & (r["date"] >= "2025-07-01") & (r["date"] <= "2025-12-31")]
    est = cx.nps(sub["nps"])
    assert rec["headline"]["nps"]["value"] == pytest.approx(est.value, abs=1e-6)
    assert rec["headline"]["nps"]["n"] == est.n
    nps = rec["headline"]["nps"]
    assert (nps["ci_low"], nps["ci_high"]) == pytest.approx((est.ci_low, est.ci_high), abs=1e-6)


def test_prepare_reads_tables_in_a_helper_process_with_the_same_result(small_data, tmp_path, monkeypatch):
    import warnings

    from cxkit.report import context as views
    from cxkit.report import prepare

    one = prepare(small_data, tmp_path / "sequential", parallel=False)
    parts, build = [], views.build_context
    monkeypatch.setattr(views, "build_context", lambda *a, **k: parts.append(k["part"]) or build(*a, **k))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # the helper must not fail (no fallback to this process)
        two = prepare(small_data, tmp_path / "parallel", parallel=True)
    assert parts == ["responses", "outcomes"]  # the helper compared the ticket and customer metrics
    assert one.groups == two.groups and one.slugs == two.slugs
    pd.testing.assert_frame_equal(one.log, two.log)
    for sub in ("partitions/responses", "partitions/tickets", "partitions/customers", "partitions/revenue", "context"):
        files = sorted(p.name for p in (one.data_dir / sub).glob("*.parquet"))
        assert files and files == sorted(p.name for p in (two.data_dir / sub).glob("*.parquet")), sub
        for name in files:
            pd.testing.assert_frame_equal(pd.read_parquet(one.data_dir / sub / name),
                                          pd.read_parquet(two.data_dir / sub / name), obj=f"{sub}/{name}")
    for prep in (one, two):  # no staging folders or hand-over files left behind
        assert not list(prep.data_dir.glob("partitions/.*")) and not list(prep.data_dir.glob(".helper-*"))


@pytest.mark.parametrize("level", ["unit", "region"])
def test_each_partition_holds_exactly_its_groups_rows(small_data, tmp_path, level):
    """Units are mapped to report groups through their categories (no text per row); the partitions hold
    the same rows as grouping the loaded tables by :func:`cxkit.report.context.group_mapper` on plain text."""
    from cxkit.report import context as views
    from cxkit.report import prepare

    ds = cx.load(small_data, errors="quarantine")
    prep = prepare(small_data, tmp_path, level=level)
    group_of = views.group_mapper(ds.units, level)
    for table, key in (("responses", "response_id"), ("tickets", "ticket_id"), ("customers", "customer_id")):
        frame = getattr(ds, table)
        groups = group_of(frame["unit"].astype(str)).astype(str)
        expected = {g: sorted(frame.loc[(groups == g).to_numpy(), key].astype(str)) for g in prep.groups}
        parts = {g: pd.read_parquet(prep.data_dir / "partitions" / table / f"{prep.slugs[g]}.parquet")
                 for g in prep.groups}
        got = {g: sorted(p[key].astype(str)) for g, p in parts.items()}
        assert got == expected, table
        # the table's own columns; the loader's row numbers (_row) are not written
        assert {tuple(p.columns) for p in parts.values()} == {tuple(c for c in frame.columns if c != "_row")}, table
        assert sum(map(len, got.values())) == len(frame), table
    if level == "region":
        assert set(prep.groups) == set(ds.units["region"].astype(str)) and len(prep.groups) >= 3


def test_context_in_two_parts_equals_the_whole(small_data):
    from cxkit.periods import parse_period
    from cxkit.report.context import attach_groups, build_context, merge_context

    ds = cx.load(small_data, errors="quarantine")
    tables = attach_groups({n: getattr(ds, n) for n in ("responses", "tickets", "customers", "revenue", "units")},
                           level="unit")
    kw = dict(level="unit", period=parse_period(None, ds.responses["date"]), settings={}, log=ds.log,
              rejected=ds.rejected)
    whole = build_context(tables, **kw)
    survey = build_context({"responses": tables["responses"], "units": tables["units"]}, **{**kw, "log": None,
                                                                                         "rejected": None},
                           part="responses")
    parts = merge_context(survey, build_context(tables, **kw, part="rest"))
    assert sorted(parts) == sorted(whole) and {"comparisons", "trend", "unit_outcomes", "log"} <= set(whole)
    for name, frame in whole.items():
        pd.testing.assert_frame_equal(parts[name], frame, obj=name)
    # the batch: the other metrics' comparisons without the responses (in the helper), the outcomes after
    others = build_context({k: v for k, v in tables.items() if k != "responses"},
                           **{**kw, "log": None, "rejected": None}, part="other_metrics")
    assert set(others) == {"comparisons"} and set(others["comparisons"]["metric"]) == {"first_response_time",
                                                                                       "churn_rate"}
    three = merge_context(survey, others, build_context(tables, **kw, part="outcomes"))
    assert sorted(three) == sorted(whole)
    for name, frame in whole.items():
        pd.testing.assert_frame_equal(three[name], frame, obj=name)
    assert set(whole["comparisons"]["metric"]) >= {"nps", "csat", "first_response_time", "churn_rate"}


def test_prepare_from_a_script_without_main_guard(small_data, tmp_path):
    import subprocess
    import sys

    # multiprocessing would run such a script again in its child; the helper is a fresh python
    script = tmp_path / "unguarded.py"
    script.write_text("import sys\nfrom cxkit.report import prepare\n"
                      "p = prepare(sys.argv[1], sys.argv[2], parallel=True)\nprint('groups', len(p.groups))\n"
                      "print('statsmodels.api', 'statsmodels.api' in sys.modules)\n",
                      encoding="utf-8")
    run = subprocess.run([sys.executable, str(script), str(small_data), str(tmp_path / "out")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "stopped" not in run.stderr
    expected = cx.load(small_data, errors="quarantine").responses["unit"].nunique()
    assert expected > 1 and f"groups {expected}" in run.stdout
    for table in ("responses", "tickets", "customers", "revenue"):
        assert len(list((tmp_path / "out" / "_data" / "partitions" / table).glob("*.parquet"))) == expected
    # the unit-outcome regressions import statsmodels' OLS module, not statsmodels.api (0.27 s more, paid
    # at the end of prepare while one core idles)
    assert (tmp_path / "out" / "_data" / "context" / "unit_outcomes_fit.parquet").exists()
    assert "statsmodels.api False" in run.stdout


def test_prepare_reads_everything_itself_when_the_helper_fails(small_data, tmp_path):
    """The helper is a task of the batch's pool; a pool whose worker dies at start (as one killed by the
    out-of-memory killer) breaks, and prepare then reads the helper's tables itself, with the same result."""
    import concurrent.futures as cf
    import multiprocessing as mp

    from cxkit.report import prepare

    one = prepare(small_data, tmp_path / "sequential", parallel=False)
    dying = cf.ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn"), initializer=os._exit,
                                   initargs=(1,))
    try:
        with pytest.warns(RuntimeWarning, match="reading them in this process instead"):
            two = prepare(small_data, tmp_path / "fallback", parallel=True, pool=dying)
    finally:
        dying.shutdown(wait=True)
    pd.testing.assert_frame_equal(one.log, two.log)
    for table in ("responses", "tickets", "customers", "revenue"):
        files = sorted(p.name for p in (one.data_dir / "partitions" / table).glob("*.parquet"))
        assert files and files == sorted(p.name for p in (two.data_dir / "partitions" / table).glob("*.parquet"))


def test_prepare_runs_the_helper_in_the_pool_it_is_given(small_data, tmp_path):
    """With the batch's pool, the helper is a task of that pool (no other process is started), and the
    context equals the one computed in a single process."""
    import concurrent.futures as cf
    import multiprocessing as mp

    from cxkit.report import prepare

    pool = cf.ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn"))
    try:
        two = prepare(small_data, tmp_path / "pool", parallel=True, pool=pool)
        workers = set(pool._processes)  # noqa: SLF001 - the pool's own processes
    finally:
        pool.shutdown(wait=True)
    assert len(workers) == 1
    one = prepare(small_data, tmp_path / "alone", parallel=False)
    for name in ("comparisons", "unit_outcomes"):
        a = pd.read_parquet(one.data_dir / "context" / f"{name}.parquet")
        b = pd.read_parquet(two.data_dir / "context" / f"{name}.parquet")
        key = [c for c in ("group", "metric", "against", "vs") if c in a.columns]
        pd.testing.assert_frame_equal(a.sort_values(key).reset_index(drop=True),
                                      b.sort_values(key).reset_index(drop=True), check_like=True)


@pytest.mark.parametrize("settings", [{}, {"confidence": "high"}])
def test_helper_sends_the_tickets_only_when_the_parent_must_compare_them(small_data, tmp_path, settings):
    """The helper that compared the ticket metrics keeps its narrow tickets (about 18 bytes a ticket) to itself,
    and sends each unit's churn instead of the customers' table; when it could not compare them, the parent
    gets both tables to compare them itself."""
    import multiprocessing as mp
    import warnings

    from cxkit.data.loading import discover
    from cxkit.report.preparation import _helper_task

    root, m, found = discover(small_data)
    receive, send = mp.get_context("spawn").Pipe(duplex=False)
    send.send(parse_period("2025Q3"))
    units = cx.load(small_data, errors="quarantine").units
    call = (["tickets", "customers"], {}, found, m, None, units, "unit", tmp_path / "parts")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result, _ = _helper_task(call, {"level": "unit", "settings": settings}, receive)
    if settings:  # the comparisons failed: the parent compares the tickets
        assert result["context"] is None and len(result["narrow"]["tickets"]) and len(result["narrow"]["customers"])
        assert "unit_churn" not in result
    else:
        assert len(result["context"]["comparisons"]) and result["narrow"]["tickets"] is None
        assert result["narrow"]["customers"] is None
        churn = result["unit_churn"]  # one row per unit, as the unit outcomes report it
        assert list(churn.columns) == ["_group", "customers", "churn_rate", "churn_ci_low", "churn_ci_high"]
        assert churn["customers"].sum() > 0 and set(churn["_group"].astype(str)) <= set(units["unit"])


def test_helper_context_failure_leaves_the_comparisons_to_the_parent(small_data, tmp_path):
    from cxkit.report.preparation import _helper_context

    ds = cx.load(small_data, errors="quarantine")
    read = {"narrow": {"tickets": ds.tickets.assign(_group=ds.tickets["unit"])}}
    period = parse_period("2025Q3")
    assert len(_helper_context(period, read, ds.units, level="unit", settings={})["comparisons"])
    with pytest.warns(RuntimeWarning, match="the batch parent does it"):  # an unexpected error
        assert _helper_context(period, read, ds.units, level="unit", settings={"confidence": "high"}) is None


def test_every_invoice_lands_in_its_customers_partition_whatever_the_id_lengths(tmp_path):
    """Invoices are placed through id hashes computed chunk by chunk; chunks whose longest id differs
    must still agree (a value's hash once depended on the longest id of its chunk)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from cxkit.report import prepare

    src = tmp_path / "data"
    cx.write_sample(src, rows=600, seed=4, fmt="parquet")
    customers = pq.read_table(src / "customers.parquet").to_pandas()
    longer = {c: f"{c}-with-a-longer-customer-number" for c in customers["customer_id"].iloc[::3]}  # every third
    for name, rows in (("responses", 100), ("customers", 40), ("revenue", 150)):
        frame = pq.read_table(src / f"{name}.parquet").to_pandas()
        frame["customer_id"] = frame["customer_id"].map(lambda c: longer.get(c, c))
        if name == "customers":  # chunks of short ids only, then of long ones; invoices keep them mixed
            frame = frame.sort_values("customer_id", key=lambda ids: ids.str.len(), kind="stable")
        if name == "revenue":  # each customer's invoices one after another, then shuffled
            half = len(frame) // 2
            frame = pd.concat([frame.iloc[:half], frame.iloc[half:].sample(frac=1, random_state=0)])
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), src / f"{name}.parquet", row_group_size=rows)
    revenue = pq.read_table(src / "revenue.parquet").to_pandas()
    prep = prepare(src, tmp_path / "out", parallel=False)
    parts = prep.data_dir / "partitions"
    placed = 0
    for f in (parts / "revenue").glob("*.parquet"):
        invoices = pd.read_parquet(f)
        own = set(pd.read_parquet(parts / "customers" / f.name)["customer_id"])
        assert set(invoices["customer_id"]) <= own, f.name
        placed += len(invoices)
    assert placed == len(revenue) and revenue["customer_id"].isin(set(longer.values())).any()


def test_prepared_company_view_reads_partitions_only_when_asked(small_data, tmp_path):
    from cxkit.report import prepare

    prep = prepare(small_data, tmp_path)
    rep = cx.open_report(unit="", prepared_dir=str(prep.data_dir))
    assert rep.tables._cache == {}  # the leadership summary needs only the context
    loaded = cx.load(small_data, errors="quarantine")
    assert len(rep.responses) == len(loaded.responses)  # every unit's partition, read on first use
    assert sorted(rep.responses["response_id"]) == sorted(loaded.responses["response_id"])
    assert set(rep.tables) == {"responses", "tickets", "customers", "revenue"}


# ---------------------------------------------------------------------------------------
# the batch: failures are isolated; a real browser checks the pages

def test_batch_isolates_a_failing_a_hanging_and_a_crashing_unit(small_data, tmp_path, monkeypatch):
    monkeypatch.setenv("CXKIT_TEST_FAIL", "Kaunas Mega")
    monkeypatch.setenv("CXKIT_TEST_HANG", "Liepāja")
    monkeypatch.setenv("CXKIT_TEST_CRASH", "Rīga Alfa")
    units = ["Kaunas Mega", "Liepāja", "Rīga Alfa", "Vilnius Ozas"]
    res = run_batch(small_data, tmp_path / "out", units=units, notebook=PROBE, workers=2, timeout=10,
                    progress=False)
    status = dict(zip(res.units["group"], res.units["status"]))
    assert status == {"Kaunas Mega": "failed", "Liepāja": "failed", "Rīga Alfa": "failed", "Vilnius Ozas": "done"}
    errors = dict(zip(res.units["group"], res.units["error"]))
    assert "RuntimeError: planned failure for Kaunas Mega" in errors["Kaunas Mega"]
    assert errors["Liepāja"].startswith("timeout")
    assert "kernel died" in errors["Rīga Alfa"]
    assert res.exit_code == 1
    out = tmp_path / "out"
    failed_nb = nbformat.read(out / "notebooks" / "kaunas-mega.ipynb", as_version=4)
    assert failed_nb.metadata["papermill"]["exception"] is True
    assert read_records(failed_nb)["n_responses"] > 0  # the cells before the failure ran and were kept
    assert read_records(out / "notebooks" / "vilnius-ozas.ipynb")["finished"] is True
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {u["group"]: u["status"] for u in manifest["units"]} == status
    assert all(len(h) == 64 for h in manifest["inputs"].values()) and len(manifest["inputs"]) == 5
    assert manifest["libraries"]["papermill"] and manifest["parameters"]["lang"] == "en"
    assert 0 < manifest["prepare_s"] < manifest["duration_s"]  # the data preparation is timed on its own
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count('class="status-failed"') >= 3 and "planned failure" in index
    assert not list(out.rglob("*.part")) and not list((out / "notebooks").glob(".*"))  # no half-written files


def test_batch_renders_browsable_reports_in_lithuanian(small_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("batch") / "report"
    res = run_batch(small_data, out, units=["Kaunas Mega", "Rīga Centrs"], lang="lt", workers=2, pdf=True,
                    progress=False)
    assert res.exit_code == 0, res.summary_text()
    assert (out / "summary.html").exists()
    kaunas = (out / "units" / "kaunas-mega.html").read_text(encoding="utf-8")
    assert "Pagrindiniai rodikliai" in kaunas  # Lithuanian headings
    assert (out / "units" / "kaunas-mega.pdf").read_bytes()[:5] == b"%PDF-"
    headline = res.units.set_index("group").loc["Kaunas Mega", "headline"]
    assert headline["nps"]["n"] > 0
    _browser_check(out, out.parent / "screenshots")
    # resume: nothing changed, so no unit runs again
    again = run_batch(small_data, out, units=["Kaunas Mega", "Rīga Centrs"], lang="lt", workers=2, pdf=True,
                      progress=False, resume=True)
    assert again.units["resumed"].all()
    changed = run_batch(small_data, out, units=["Kaunas Mega", "Rīga Centrs"], lang="en", workers=2,
                        progress=False, resume=True)
    assert not changed.units["resumed"].any()


def _browser_check(out: Path, shots: Path):
    """Headless Chromium: no code cells, every image decoded, every link resolves, no console errors."""
    from playwright.sync_api import sync_playwright

    from cxkit.report.render import find_chromium

    exe = find_chromium()
    assert exe, "Chromium is required for this test (.ci/run installs Debian's chromium)"
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox", "--disable-gpu",
                                                               "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        problems = []
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
        page.goto((out / "index.html").as_uri())
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        assert len(hrefs) >= 3
        for href in hrefs:
            assert (out / href).exists(), f"index link {href} does not resolve"
        page.screenshot(path=str(shots / "index.png"), full_page=True)
        for href in [h for h in hrefs if h.endswith(".html")]:
            page.goto((out / href).as_uri())
            page.wait_for_load_state("load")
            assert page.locator(".jp-InputArea, .jp-InputPrompt, .jp-CodeMirrorEditor, pre.highlight").count() == 0
            broken = page.eval_on_selector_all(
                "img", "imgs => imgs.filter(i => !i.complete || i.naturalWidth === 0).length")
            assert broken == 0, f"{href}: {broken} images not decoded"
        page.goto((out / "units" / "kaunas-mega.html").as_uri())
        page.screenshot(path=str(shots / "unit.png"), full_page=True)
        browser.close()
    assert not problems, problems


def test_an_unreadable_optional_file_does_not_stop_the_batch(small_data, tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(small_data, data)
    (data / "tickets.csv").unlink()
    (data / "tickets.xlsx").write_bytes(b"PK\x03\x04 a damaged workbook")
    ds = cx.load(data, errors="quarantine")
    assert ds.tickets is None and "tickets" in ds.unreadable
    status = dict(zip(ds.log["table"], ds.log["status"]))
    assert status["tickets"].startswith("not read: ") and status["responses"] == "loaded"
    with pytest.raises(cx.FileReadError):
        cx.load(data)  # strict mode still stops
    res = run_batch(data, tmp_path / "out", units=["Kaunas Mega"], notebook=PROBE, workers=1, progress=False)
    assert res.exit_code == 0, res.summary_text()
    logged = {r["table"]: r["status"] for r in res.manifest["data"]["log"]}
    assert logged["tickets"].startswith("not read")


def test_a_killed_batch_leaves_no_half_written_report_and_resume_finishes_it(small_data, tmp_path):
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "out"
    units = ["Kaunas Mega", "Liepāja", "Rīga Alfa", "Vilnius Ozas"]
    code = ("import sys; from cxkit.report import run_batch; "
            f"run_batch({str(small_data)!r}, {str(out)!r}, units={units!r}, workers=1, progress=False)")
    proc = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    try:
        def units_done():  # the manifest is rewritten after every task (the summary runs first)
            try:
                saved = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return 0
            return sum(u["status"] == "done" for u in saved["units"])

        deadline = time.time() + 240
        while time.time() < deadline and not units_done():
            time.sleep(0.2)
        assert units_done(), "no unit finished in time"
        os.killpg(proc.pid, signal.SIGKILL)  # the whole batch: parent, workers, kernels
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    # every file that looks like a report is complete; unfinished ones are hidden temporary files
    for html in (out / "units").glob("[!.]*.html"):  # pathlib's * matches hidden names too
        assert html.read_text(encoding="utf-8").rstrip().endswith("</html>"), html
    for nb in (out / "notebooks").glob("[!.]*.ipynb"):
        nbformat.read(nb, as_version=4)  # complete JSON
    assert not (out / "index.html").exists()
    partial = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert partial["complete"] is False
    finished = {u["group"] for u in partial["units"] if u["status"] == "done"}
    assert finished and len(finished) < len(units)
    with pytest.warns(RuntimeWarning, match="no longer running; taking the lock over"):  # the killed batch's lock
        res = run_batch(small_data, out, units=units, workers=2, progress=False, resume=True)
    assert res.exit_code == 0 and set(res.units["status"]) == {"done"} and res.manifest["complete"] is True
    assert not list((out / "notebooks").glob(".*")), "the killed batch's temporaries are left"
    resumed = set(res.units.loc[res.units["resumed"], "group"])
    assert resumed == finished  # only the unfinished units ran again
    assert len(list((out / "units").glob("*.html"))) == len(units)


def test_helper_never_told_the_period_does_not_wait_for_it(small_data, tmp_path):
    """A caller of _read_in_parallel that asks for the helper's comparisons but never passes the
    period on must not wait forever: the helper is told there is none."""
    from cxkit.data.loading import discover, read_table
    from cxkit.report.preparation import _read_in_parallel

    root, m, found = discover(small_data)
    units = read_table(found["units"], "units", mapping=m, errors="quarantine").data
    known = (set(units["unit"].astype(str)), found["units"].name)
    (tmp_path / "partitions").mkdir()
    args = (found, m, known, units, "unit", tmp_path / "partitions")
    read, early, ctx = _read_in_parallel(["responses"], ["tickets"], {}, args, lambda here, tell: "done",
                                         {"level": "unit", "settings": {}})
    assert early == "done" and ctx is None and set(read["results"]) == {"responses", "tickets"}


def test_a_report_kernel_leaves_what_it_loaded_out_of_full_collections(small_data, tmp_path):
    import gc

    from cxkit.report import prepare

    prep = prepare(small_data, tmp_path, parallel=False)
    gc.unfreeze()  # whatever an earlier step froze (conftest unfreezes after every test)
    rep = cx.open_report(unit=prep.groups[0], prepared_dir=str(prep.data_dir))
    frozen = gc.get_freeze_count()
    # the modules, the context and the unit's tables (tens of thousands of objects at least) are frozen
    assert frozen > 50_000
    assert len(rep.responses) > 0 and rep.group == prep.groups[0]


@pytest.mark.parametrize("parallel", [False, True])
def test_prepare_reports_the_idle_core_once(small_data, tmp_path, monkeypatch, parallel):
    """``_idle`` (the batch starts its pool there) runs once: with the helper, after the survey part of
    the context, when this process only waits; alone, right after reading (the other core idles from
    the start). The inputs' fingerprints are taken by then."""
    from cxkit.report import context as views, preparation as report
    from cxkit.data.loading import discover
    from cxkit.report.preparation import prepare, sha256_file

    events, build = [], views.build_context
    monkeypatch.setattr(views, "build_context", lambda *a, **k: events.append(k["part"]) or build(*a, **k))
    monkeypatch.setattr(report, "sha256_file", lambda p: events.append("hash") or sha256_file(p))
    wait = report._wait_for_helper
    monkeypatch.setattr(report, "_wait_for_helper", lambda *a: events.append("wait") or wait(*a))
    prep = prepare(small_data, tmp_path, parallel=parallel, _idle=lambda: events.append("idle"))
    hashed = ["hash"] * 5  # responses, tickets, customers, revenue, units
    assert events == (["responses", *hashed, "idle", "wait", "outcomes"] if parallel
                      else [*hashed, "idle", "responses", "other_metrics", "outcomes"])
    _, _, found = discover(small_data)
    assert prep.inputs == {str(p): sha256_file(p) for p in found.values()} and len(prep.inputs) == 5


def test_the_batch_pool_starts_its_workers_early_and_always_shuts_down(tmp_path):
    import multiprocessing as mp

    from cxkit.report.executors import _EarlyPool

    before = set(mp.active_children())
    with _EarlyPool(False, 2, tmp_path / "_logs") as early:  # the Dask executor: no local pool
        early.start()
        assert early.pool is None and set(mp.active_children()) == before
    with pytest.raises(RuntimeError, match="prepare failed"):
        with _EarlyPool(True, 2, tmp_path / "_logs") as early:
            early.start()
            early.start()  # once only
            started = set(mp.active_children()) - before
            assert len(started) == 2  # both workers started at once, not at the first unit
            assert [f.result(timeout=120) for f in early.warming] == [None, None]  # papermill and nbconvert loaded
            raise RuntimeError("prepare failed")
    assert not any(p.is_alive() for p in started)
    with pytest.raises(RuntimeError):
        early.pool.submit(int)  # shut down


# ---------------------------------------------------------------------------------------
# the user's own notebooks and templates


def test_a_template_folder_of_ones_own_is_used_and_a_wrong_one_is_refused(tmp_path):
    import nbformat

    from cxkit.errors import ConfigError
    from cxkit.report.render import write_index
    from cxkit.report.resources import template_dirs

    with pytest.raises(ConfigError, match="not a folder"):
        template_dirs(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="holds neither"):
        template_dirs(tmp_path / "empty")

    own = tmp_path / "own"
    (own / "cxkit_report").mkdir(parents=True)
    (own / "cxkit_report" / "conf.json").write_text(json.dumps({"base_template": "lab"}), encoding="utf-8")
    (own / "cxkit_report" / "index.html.j2").write_text(
        "{%- extends 'lab/index.html.j2' -%}\n{% block header %}{{ super() }}"
        "<meta name=\"house-style\" content=\"ours\">{% endblock header %}\n", encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1", outputs=[
        nbformat.v4.new_output("display_data", data={"text/html": "<p>visible</p>"})])]
    page = render_html(nb, tmp_path / "ours.html", template=own).read_text(encoding="utf-8")
    assert 'content="ours"' in page and "<p>visible</p>" in page and "x = 1" not in page
    default = render_html(nb, tmp_path / "default.html").read_text(encoding="utf-8")
    assert 'content="ours"' not in default and "<p>visible</p>" in default

    # the index page: the folder's index.html.j2; the report template (absent here) would come from cxkit
    (own / "index.html.j2").write_text("<h1>{{ title }} (ours)</h1>{% for r in rows %}<p>{{ r.group }}</p>"
                                       "{% endfor %}", encoding="utf-8")
    manifest = {"units": [{"group": "<Vilnius>", "status": "done", "headline": {}}],
                "parameters": {"period_start": "2025-10-01", "period_end": "2025-12-31", "level": "unit"},
                "created": "2026-01-05T10:00:00", "data": {"rows_rejected": 0}, "summary": None}
    index = write_index(tmp_path, manifest, template=own).read_text(encoding="utf-8")
    assert "(ours)</h1>" in index and "<p>&lt;Vilnius&gt;</p>" in index  # autoescaped


def test_a_missing_notebook_or_template_stops_the_batch_before_the_data_are_read(tmp_path):
    from cxkit.errors import ConfigError

    nowhere = tmp_path / "no-data-here"  # reading it would fail with another message
    with pytest.raises(ConfigError, match="--template"):
        run_batch(nowhere, tmp_path / "out", template=tmp_path / "missing", progress=False)
    with pytest.raises(ConfigError, match="notebook not found"):
        run_batch(nowhere, tmp_path / "out", notebook=tmp_path / "mine.ipynb", progress=False)
    with pytest.raises(ConfigError, match="notebook not found"):
        run_batch(nowhere, tmp_path / "out", summary_notebook=tmp_path / "summary.ipynb", progress=False)


def test_the_shipped_notebooks_are_the_ones_in_the_repository(tmp_path):
    """notebooks/ and templates/ at the repository root link to the package data: one copy of each."""
    from cxkit.report.resources import notebook_path, template_dirs

    for name in ("unit_report", "leadership_summary"):
        assert (ROOT / "notebooks" / f"{name}.ipynb").resolve() == notebook_path(name).resolve()
    assert (ROOT / "templates").resolve() == template_dirs()[0].resolve()


def test_prepared_data_are_the_one_source_of_the_period_and_level(small_data, tmp_path):
    """The batch passes the period to the notebook and writes it with the prepared data; a notebook asking
    for another period or level is refused, instead of showing the prepared period as if it were its own."""
    from cxkit.errors import ConfigError
    from cxkit.report import prepare

    prep = prepare(small_data, tmp_path, period="2025Q3", parallel=False)
    start, end = (str(d.date()) for d in prep.period)
    unit = prep.groups[0]
    rep = cx.open_report(prepared_dir=str(prep.data_dir), unit=unit, period_start=start, period_end=end)
    assert rep.period == prep.period and rep.group == unit
    with pytest.raises(ConfigError, match="prepared data are for the period 2025-07-01 to 2025-09-30"):
        cx.open_report(prepared_dir=str(prep.data_dir), unit=unit, period_start="2025-10-01", period_end="2025-12-31")
    with pytest.raises(ConfigError, match="per unit"):
        cx.open_report(prepared_dir=str(prep.data_dir), unit=unit, level="region")


def test_an_error_while_the_helper_reads_stops_it_at_once(small_data, tmp_path):
    """prepare fails (an unknown unit) while its pool task still reads the other tables: the task's
    process is stopped, not left running or waited for."""
    import multiprocessing as mp

    from cxkit.errors import ConfigError
    from cxkit.report import prepare

    before = set(mp.active_children())
    with pytest.raises(ConfigError, match="unknown unit"):
        prepare(small_data, tmp_path, units=["Nowhere"], parallel=True)
    assert not [p for p in set(mp.active_children()) - before if p.is_alive()]


def test_one_batch_per_output_folder_at_a_time(small_data, tmp_path):
    """A second batch (or --resume) into a folder another batch holds stops before touching it, naming the
    holder; once the holder has gone, its lock is stale and the next batch takes it over."""
    import socket
    import subprocess
    import sys

    from cxkit.errors import ConfigError
    from cxkit.report.lock import LOCK_NAME

    out = tmp_path / "out"
    code = (f"import time; from cxkit.report.lock import BatchLock; BatchLock({str(out)!r}).__enter__(); "
            "print('locked', flush=True); time.sleep(300)")
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        for resume in (False, True):
            with pytest.raises(ConfigError, match=f"in use by the cxkit batch with pid {holder.pid} on "
                                                  f"{socket.gethostname()}"):
                run_batch(small_data, out, progress=False, resume=resume)
        assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME]  # nothing read or written
        from cxkit.cli import main

        assert main(["report", "--data", str(small_data), "--out", str(out), "--quiet"]) == 2
    finally:
        holder.kill()
        holder.wait()
    with pytest.warns(RuntimeWarning, match=f"pid {holder.pid} .* no longer running"):
        res = run_batch(small_data, out, units=["Kaunas Mega"], progress=False)
    assert res.exit_code == 0 and not (out / LOCK_NAME).exists()
