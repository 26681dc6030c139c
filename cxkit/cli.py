"""The ``cxkit`` command.

    cxkit validate DIR_OR_FILE [--table T] [--mapping M] [--rejected FILE]
    cxkit suggest-mapping FILE [--table T] [--out mapping.yml]
    cxkit metrics DIR [--by unit] [--metrics nps,csat,ces] [--out FILE]
    cxkit sample-data --out DIR [--rows N] [--seed S] [--format csv|parquet]
    cxkit report --data DIR --out DIR [--resume] [--fresh-kernels] ...

Errors in the data or the arguments print a plain message and exit with 2;
``validate`` exits with 1 when it found problems; a file without the required columns, or a
responses file without any score column, is an error (2) that shows a suggested mapping.
``report`` exits with 0 when every report was made, 1 when some units failed (the others are done),
2 for an error in the data or the arguments, and 3 when the disk filled up: the batch stops, says
which file it could not write and how much space is free, and prints what was finished
(``--resume`` continues from there). An interrupted command exits with 130.
"""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import pandas as pd

from ._version import __version__
from .data.export import write_csv
from .data.loading import discover, load, read_table
from .data.problems import _problem_summary
from .data.sample import write_sample
from .data.suggest import suggest_mapping
from .errors import CxkitError, DataValidationError, DiskFullError, format_problem
from .report import run_batch
from .stats.metrics import _NEEDS, metric_table

__all__ = ["main"]

#: exit code of a command stopped by a full disk (``report``: after printing what was finished)
DISK_FULL = 3


def _print_table(frame: pd.DataFrame, out=None) -> None:
    out = out or sys.stdout
    with pd.option_context("display.width", 160, "display.max_columns", 30, "display.max_rows", 500,
                           "display.float_format", "{:,.1f}".format):
        print(frame.to_string(index=False), file=out)


def _cmd_validate(args) -> int:
    path = Path(args.path)
    try:
        if path.is_file():
            if not args.table:
                raise CxkitError("validate: a single file needs --table (responses, tickets, customers, revenue, "
                                 "units)")
            result = read_table(path, args.table, mapping=args.mapping, errors="quarantine")
            log, problems, repairs, rejected = result.summary, result.problems, result.repairs, result.rejected
            warnings = list(result.warnings)
        else:
            ds = load(path, mapping=args.mapping, errors="quarantine")
            log, problems, repairs, rejected = ds.log, ds.problems, ds.repairs, ds.rejected
            warnings = [f"{t} ({lr.file}): {w}" for t, lr in ds.tables.items() for w in lr.warnings]
    except DataValidationError as exc:
        raise _with_suggestion(exc, path, args) from None
    print("Files read:")
    _print_table(log)
    if warnings:
        print("\nWarnings:")
        for w in warnings:
            print("  " + w)
    if len(repairs):
        print("\nRepairs made (documented, nothing dropped):")
        _print_table(repairs)
    if len(problems):
        print(f"\n{len(problems)} problem(s), by column and reason:")
        _print_table(_problem_summary(problems))
        print(f"\nThe first {min(len(problems), args.show)}, row by row:")
        for p in problems.head(args.show).itertuples(index=False):
            print("  " + format_problem(p.file, p.row, p.column, p.value, p.expected))
        if args.rejected:
            write_csv(rejected, args.rejected)
            print(f"\nRejected rows written to {args.rejected}")
        return 1
    print("\nNo problems found.")
    return 0


def _table_files(path: Path, args) -> dict[str, Path]:
    """The file of each table that ``validate`` reads: the one file, or the data folder's files."""
    if path.is_file():
        return {args.table: path}
    return discover(path, mapping=args.mapping)[2]


def _suggestion_text(file: Path, table: str, suggestion=None) -> str:
    """The suggested mapping for one file, as shown by ``validate`` ("" when the file cannot be read)."""
    if suggestion is None:
        try:
            suggestion = suggest_mapping(file, table=table)
        except CxkitError:
            return ""
    return (f"\n\nSuggested mapping for {file.name} (from its header and values; check it, save it as mapping.yml "
            f"and pass it with --mapping, or run 'cxkit suggest-mapping {file} --out mapping.yml'):\n"
            + suggestion.yaml.rstrip())


def _with_suggestion(exc: DataValidationError, path: Path, args) -> CxkitError:
    """A header error (required columns missing) with the suggested mapping of its file appended."""
    missing = exc.problems[exc.problems["value"] == "(missing)"]
    if not len(missing):
        return exc
    files = _table_files(path, args)
    table = next((t for t, f in files.items() if f.name == missing["file"].iloc[0]), None)
    text = _suggestion_text(files[table], table) if table else ""
    return CxkitError(str(exc) + text) if text else exc


#: metrics of tables other than the responses
_METRIC_TABLES = {"first_response_time": "tickets", "first_response_time_median": "tickets",
                  "churn_rate": "customers", "churn_hazard": "customers", "cac": "customers",
                  "cost_to_serve": "customers"}


def _skip_reason(metric: str, table: str, data: pd.DataFrame | None) -> str | None:
    """Why ``metric`` cannot be computed from ``data`` (its ``table``): no table, no column or no value in it;
    None when it can."""
    if data is None:
        return f"no {table} table"
    for col in _NEEDS.get(metric, ()):
        if col not in data.columns:
            return f"the {table} have no {col!r} column"
        if not data[col].notna().any():
            return f"the {table} have no value in {col!r}"
    return None


def _cmd_metrics(args) -> int:
    ds = load(args.path, mapping=args.mapping, errors=args.errors)
    by = [b for b in (args.by or "").split(",") if b]
    frames, skipped = [], []
    for m in [m.strip() for m in args.metrics.split(",") if m.strip()]:
        table = _METRIC_TABLES.get(m, "responses")
        data = getattr(ds, table)
        reason = _skip_reason(m, table, data)
        if reason:
            print(f"(skipped {m}: {reason})", file=sys.stderr)
            skipped.append(f"{m} ({reason})")
            continue
        kw = {"scale": ds.scales[m]} if m in ("csat", "ces") else {}
        frames.append(metric_table(data, metric=m, by=by or None, confidence=args.confidence, total=bool(by), **kw))
    if not frames:
        raise CxkitError(f"none of the metrics could be computed from {ds.root} (skipped: {'; '.join(skipped)})")
    table = pd.concat(frames, ignore_index=True)
    cols = by + ["metric", "value", "ci_low", "ci_high", "n", "measured_in", "method"]
    table = table[[c for c in cols if c in table.columns]]
    if args.out:
        write_csv(table, args.out)
        print(f"Metrics written to {args.out}")
    print(f"Metrics with {args.confidence:.0%} confidence intervals ({ds.root}):")
    _print_table(table)
    if skipped:
        print(f"\nSkipped: {'; '.join(skipped)}.")
    rejected = int(ds.log["rows_rejected"].sum())
    if rejected:
        print(f"\n{rejected} row(s) rejected while loading; run 'cxkit validate {args.path}' for the list.")
    return 0


def _cmd_suggest(args) -> int:
    suggestion = suggest_mapping(args.path, table=args.table, sample_rows=args.rows)
    if not args.out:
        print(suggestion.yaml, end="")
        return 0
    out = Path(args.out)
    out.write_text(suggestion.yaml, encoding="utf-8")
    _print_table(suggestion.summary)
    print(f"\nMapping suggestion written to {out}; check it, then pass it with --mapping {out}.")
    return 0


def _cmd_sample(args) -> int:
    paths = write_sample(args.out, rows=args.rows, seed=args.seed, fmt=args.format, units=args.units)
    for name, p in paths.items():
        print(f"{name:10s} {p}")
    return 0


def _cmd_report(args) -> int:
    units = [u for part in (args.units or []) for u in part.split(",") if u.strip()] or None
    res = run_batch(args.data, args.out, units=units, period=args.period, lang=args.lang, workers=args.workers,
                    pdf=args.pdf, paper=args.paper, level=args.level, timeout=args.timeout, resume=args.resume,
                    mapping=args.mapping,
                    notebook=args.notebook, summary_notebook=args.summary_notebook,
                    template=args.template, share=args.share, progress=not args.quiet, executor=args.executor,
                    scheduler=args.scheduler,
                    stage=args.stage, fresh_kernels=args.fresh_kernels,
                    settings={"confidence": args.confidence, "alpha": args.alpha, "min_n_show": args.min_n_show,
                              "min_n_test": args.min_n_test, "currency": args.currency})
    print(res.summary_text())
    return res.exit_code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cxkit", description="Customer-experience analytics with honest statistics.")
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check data files against the data contract")
    p.add_argument("path", help="data folder, or a single file with --table")
    p.add_argument("--table", help="table of a single file: responses, tickets, customers, revenue, units")
    p.add_argument("--mapping", help="YAML column mapping")
    p.add_argument("--rejected", help="write rejected rows (with reasons) to this CSV/XLSX file")
    p.add_argument("--show", type=int, default=50, help="how many problems to print (default 50)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("metrics", help="print CX metrics with confidence intervals")
    p.add_argument("path", help="data folder")
    p.add_argument("--by", default="unit", help="grouping column(s), comma-separated (default unit; '' for none)")
    p.add_argument("--metrics", default="nps,csat,ces,first_response_time,churn_rate",
                   help="comma-separated metrics (default nps,csat,ces,first_response_time,churn_rate)")
    p.add_argument("--mapping", help="YAML column mapping")
    p.add_argument("--errors", choices=["raise", "quarantine"], default="raise",
                   help="raise on bad rows (default) or set them aside")
    p.add_argument("--confidence", type=float, default=0.95)
    p.add_argument("--out", help="also write the table to this CSV/XLSX file")
    p.set_defaults(func=_cmd_metrics)

    p = sub.add_parser("report", help="render one HTML report per unit, a leadership summary and an index page",
                       description="Render one HTML report per unit, a leadership summary and an index page. "
                       "Exit codes: 0 all reports done; 1 some units failed (the others are done); 2 an error in "
                       "the data or the arguments; 3 the disk is full (the batch stopped; run again with --resume).")
    p.add_argument("--data", required=True, help="data folder (responses, tickets, customers, revenue, units)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--units", nargs="*", help="only these units (names, comma- or space-separated)")
    p.add_argument("--period", help="reporting period: 2025Q4, 2025-11, 2025, or 2025-10-01:2025-12-31 "
                                    "(default: latest full quarter)")
    p.add_argument("--lang", default="en", choices=["en", "lt", "pl", "lv"], help="report language (default en)")
    p.add_argument("--workers", type=int, help="parallel notebook processes (default: number of CPUs)")
    p.add_argument("--pdf", action="store_true", help="also print every report to PDF (needs chromium)")
    p.add_argument("--paper", default="a4", choices=["a4", "letter"], type=str.lower,
                   help="paper size of the PDFs and printed pages (default a4)")
    p.add_argument("--level", default="unit", choices=["unit", "region"], help="one report per unit or per region")
    p.add_argument("--timeout", type=int, default=600, help="seconds one notebook cell may run (default 600)")
    p.add_argument("--resume", action="store_true", help="re-run only units whose inputs or parameters changed "
                   "(half-written files a killed or failed batch left are removed first)")
    p.add_argument("--fresh-kernels", action="store_true", help="start a new Jupyter kernel for every unit instead "
                   "of reusing each worker's warm kernel (slower; for notebooks that leave state behind)")
    p.add_argument("--mapping", help="YAML column mapping")
    p.add_argument("--notebook", help="your own unit notebook to run (default: cxkit's unit_report.ipynb)")
    p.add_argument("--summary-notebook", help="your own leadership summary notebook (default: cxkit's)")
    p.add_argument("--template", metavar="DIR", help="a folder with your own report template (cxkit_report/) and/or "
                   "index page template (index.html.j2); the rest comes from cxkit's templates")
    p.add_argument("--share", metavar="DIR", help="also write a folder for readers: the pages and the index, none of "
                   "the working data (partitions, notebooks, rejected rows)")
    p.add_argument("--executor", default="local", choices=["local", "dask"], help="local process pool or Dask")
    p.add_argument("--scheduler", help="Dask scheduler address for --executor dask")
    p.add_argument("--stage", metavar="URL", help="with Dask: copy the prepared data to this URL (s3://bucket/prefix, "
                   "gs://..., file:///shared/path) so workers need no shared folder; deleted at the end")
    p.add_argument("--confidence", type=float, default=0.95)
    p.add_argument("--alpha", type=float, default=0.05)
    p.add_argument("--min-n-show", type=int, default=5, help="hide figures with fewer answers (default 5)")
    p.add_argument("--min-n-test", type=int, default=30, help="no significance test below this n (default 30)")
    p.add_argument("--currency", default="EUR")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("suggest-mapping", help="draft the column mapping (YAML) of an export from its header and "
                       "values")
    p.add_argument("path", help="the export (CSV, .xlsx or Parquet)")
    p.add_argument("--table", default="responses", help="table the file holds (default responses)")
    p.add_argument("--out", help="write the mapping to this YAML file (default: print it)")
    p.add_argument("--rows", type=int, default=2000, help="data rows to read for the value rules (default 2000)")
    p.set_defaults(func=_cmd_suggest)

    p = sub.add_parser("sample-data", help="generate the deterministic sample data")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--rows", type=int, default=20_000, help="survey responses (default 20000)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--format", choices=["csv", "parquet"], default="csv")
    p.add_argument("--units", type=int, help="number of business units (default: the 10 named sample units)")
    p.set_defaults(func=_cmd_sample)
    return parser


def _version() -> str:
    return f"cxkit {__version__}"


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """cxkit's own warnings as one plain line on stderr (``cxkit: ...``); others as Python prints them."""
    text = str(message)
    if text.startswith("cxkit:"):
        print(text, file=file or sys.stderr)
    else:
        _default_showwarning(message, category, filename, lineno, file, line)


_default_showwarning = warnings.showwarning


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return int(args.func(args) or 0)
    except DiskFullError as exc:
        print(f"cxkit: {exc}", file=sys.stderr)
        if exc.summary:
            print(exc.summary)
        return DISK_FULL
    except CxkitError as exc:
        print(f"cxkit: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("cxkit: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
