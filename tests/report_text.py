"""The text a reader sees in a rendered report, and a before/after comparison of two report folders.

    python tests/report_text.py OLD_OUT NEW_OUT

compares the visible text of ``index.html``, ``summary.html`` and every ``units/*.html`` of two batch
outputs (made from the same data and parameters), with timestamps and durations masked, and prints
the first differing lines of each page that differs. Exit code 0 when every page reads the same.
Used to check that a refactoring renders the same reports (docs/architecture.md).
"""
from __future__ import annotations

import difflib
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

_HIDDEN = {"script", "style", "head", "title"}
# the moment a batch ran, and how long it took, differ between two runs of the same batch
_VOLATILE = [
    (re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?\b"), "<timestamp>"),
    (re.compile(r"\b\d{1,2}:\d{2}\b"), "<time>"),
    (re.compile(r"\b\d+(\.\d+)? ?s\b"), "<seconds>"),
]


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in _HIDDEN:
            self.skip += 1
        if tag in ("p", "div", "tr", "li", "h1", "h2", "h3", "h4", "br", "table", "figcaption", "section"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _HIDDEN and self.skip:
            self.skip -= 1
        if tag in ("td", "th"):
            self.parts.append(" | ")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str, *, mask_volatile: bool = False) -> str:
    """The page's text as a reader sees it (no scripts, styles or tags), one block per line."""
    parser = _Text()
    parser.feed(html)
    text = "".join(parser.parts)
    lines = [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()]
    text = "\n".join(line for line in lines if line and line != "|")
    if mask_volatile:
        for pattern, repl in _VOLATILE:
            text = pattern.sub(repl, text)
    return text


def pages(out: Path) -> list[str]:
    out = Path(out)
    return ["index.html", "summary.html"] + sorted(str(p.relative_to(out)) for p in (out / "units").glob("*.html"))


def compare(old: Path, new: Path) -> dict[str, list[str]]:
    """Pages whose visible text differs, each with the first lines of its diff."""
    differ = {}
    names = sorted(set(pages(old)) | set(pages(new)))
    for name in names:
        a, b = Path(old) / name, Path(new) / name
        if not (a.exists() and b.exists()):
            differ[name] = [f"only in {'new' if b.exists() else 'old'}"]
            continue
        ta = visible_text(a.read_text(encoding="utf-8"), mask_volatile=True).splitlines()
        tb = visible_text(b.read_text(encoding="utf-8"), mask_volatile=True).splitlines()
        if ta != tb:
            differ[name] = list(difflib.unified_diff(ta, tb, "old", "new", n=0, lineterm=""))[:12]
    return differ


def main(argv: list[str]) -> int:
    old, new = (Path(a) for a in argv)
    differ = compare(old, new)
    for name, diff in differ.items():
        print(f"--- {name}")
        print("\n".join(diff))
    print(f"{len(pages(new))} pages compared, {len(differ)} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
