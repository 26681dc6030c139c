"""Maintainer commands for the message catalogues in ``cxkit/locale`` (see ``docs/translating.md``).

``python -m cxkit.i18n_catalogue import-dict``
    Moves the texts still in :data:`cxkit.i18n._STRINGS` and names in :data:`cxkit.i18n._NAMES` into the
    ``.pot`` and the ``.po`` files (keeping every entry already there; a key already there gets the
    dict's newer text) and leaves both dicts empty in ``cxkit/i18n.py``. Running it again changes nothing.
``python -m cxkit.i18n_catalogue check``
    Lists missing, empty, fuzzy and outdated translations, placeholders a translation lost or added, keys
    still waiting in the dicts, and keys the code asks for (``t("...")``, ``tn("...")``) that no catalogue
    has. Exit code 1 when it finds any.
"""
from __future__ import annotations

import argparse
import ast
import datetime as dt
import re
import sys
from pathlib import Path

from . import _catalogue, i18n

__all__ = ["import_dict", "check", "main"]

HEADER = """# Texts of the cxkit reports{what}.
# msgctxt is the key the code asks for (cxkit.i18n.t / tn / name_of), msgid the English text.
# Edit msgstr only; keep {{placeholders}} as they are. See docs/translating.md.
#{plural}"""
_PLURAL_NOTE = {
    "lt": "\n# Plural forms (CLDR): msgstr[0] one: 1, 21, 31...; msgstr[1] few: 2-9, 22-29...; msgstr[2] many: a "
          "decimal number (1,5: genitive singular); msgstr[3] other: 0, 10-20, 30...\n#",
    "pl": "\n# Plural forms (CLDR): msgstr[0] one: 1; msgstr[1] few: 2-4, 22-24...; msgstr[2] many: 0, 5-21, 25-31, "
          "...; msgstr[3] other: a decimal number (1,5: genitive singular)\n#",
    "lv": "\n# Plural forms (CLDR): msgstr[0] zero: 0, 10-20, 30...; msgstr[1] one: 1, 21, 31...; msgstr[2] "
          "other: 2-9, 22-29...\n#",
}
_LANG_NAMES = {"lt": "Lithuanian", "pl": "Polish", "lv": "Latvian"}
_CALL = re.compile(r"""\btn?\(\s*["']([A-Za-z][A-Za-z0-9_:]*)["']""")


def _new_catalogue(lang: str):
    from babel.messages.catalog import Catalog

    what = "" if lang == "en" else f": {_LANG_NAMES[lang]}"
    cat = Catalog(locale=None if lang == "en" else lang, domain=_catalogue.DOMAIN, project="cxkit", version="0.1",
                  header_comment=HEADER.format(what=what, plural=_PLURAL_NOTE.get(lang, "")), fuzzy=False,
                  creation_date=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
                  revision_date=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
                  last_translator="cxkit contributors", language_team=f"{_LANG_NAMES.get(lang, 'English')}")
    cat.mime_headers = [("Plural-Forms", _catalogue.PLURAL_FORMS[lang])]
    return cat


def _load(lang: str, locale_dir: Path):
    path = _catalogue.catalogue_path(lang, locale_dir)
    if not path.exists():
        return _new_catalogue(lang)
    cat = _catalogue.read_catalogue(path)
    cat.mime_headers = [("Plural-Forms", _catalogue.PLURAL_FORMS[lang])]
    return cat


def _write(cat, path: Path) -> bool:
    """Write the catalogue; False (and the file untouched) when its text would not change."""
    import io

    from babel.messages.pofile import write_po

    buf = io.BytesIO()
    write_po(buf, cat, width=100, no_location=True)
    data = buf.getvalue()
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def _pending() -> dict[str, dict]:
    """Key -> {lang: text or tuple of plural forms} of everything still in the dicts of cxkit.i18n."""
    out = {key: dict(texts) for key, texts in i18n._STRINGS.items()}
    for kind, names in i18n._NAMES.items():
        for key, forms in names.items():
            out[f"{kind}:{key}"] = dict(zip(i18n.LANGUAGES, forms))
    return out


def _put(cat, key: str, english, text, lang: str) -> None:
    """Add or replace the entry ``key`` (msgctxt) of one catalogue."""
    old = next((m for m in cat if m.context == key and m.id), None)
    comments = list(old.auto_comments) if old is not None else []
    if old is not None:
        cat.delete(old.id, context=key)
    plural = isinstance(english, (tuple, list))
    msgid = (english[0], english[-1]) if plural else english
    if lang == "en":
        string = ("",) * len(_catalogue.PLURAL_CATEGORIES["en"]) if plural else ""
    else:
        string = tuple(text or ()) if plural else (text or "")
    cat.add(msgid, string, context=key, auto_comments=comments)


def _empty_dicts_in_source(path: Path) -> None:
    """Leave ``_STRINGS`` and ``_NAMES`` in ``cxkit/i18n.py`` empty (``{}``), the rest of the file as it is."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines(keepends=True)
    spans = []
    for node in ast.parse(source).body:
        target = getattr(node, "target", None)
        if isinstance(node, ast.AnnAssign) and isinstance(target, ast.Name) and target.id in ("_STRINGS", "_NAMES"):
            spans.append(node.value)
    for value in sorted(spans, key=lambda v: v.lineno, reverse=True):
        first, last = value.lineno - 1, value.end_lineno - 1
        head = lines[first][:value.col_offset]
        tail = lines[last][value.end_col_offset:]
        lines[first:last + 1] = [head + "{}" + tail]
    path.write_text("".join(lines), encoding="utf-8")


def import_dict(locale_dir: Path | None = None, source: Path | None = None) -> int:
    """Move the texts still in the dicts of :mod:`cxkit.i18n` into the catalogues.

    Parameters
    ----------
    locale_dir : pathlib.Path, optional
        The catalogues' folder (default ``cxkit/locale``).
    source : pathlib.Path, optional
        The file whose ``_STRINGS`` and ``_NAMES`` are emptied afterwards (default ``cxkit/i18n.py``);
        nothing is emptied when no key was moved.

    Returns
    -------
    int
        How many keys were moved.
    """
    locale_dir = Path(locale_dir) if locale_dir is not None else _catalogue.LOCALE_DIR
    pending = _pending()
    if not pending:
        return 0
    for lang in i18n.LANGUAGES:
        cat = _load(lang, locale_dir)
        for key, texts in pending.items():
            _put(cat, key, texts["en"], texts.get(lang), lang)
        _write(cat, _catalogue.catalogue_path(lang, locale_dir))
    _empty_dicts_in_source(Path(source) if source is not None else Path(i18n.__file__))
    i18n._STRINGS.clear()
    i18n._NAMES.clear()
    _catalogue.texts.cache_clear()
    return len(pending)


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{([A-Za-z_][A-Za-z0-9_]*)[^{}]*\}", text or ""))


def _entry_problems(lang: str, key: str, english, message, n_forms: int, extra: set[str]) -> list[str]:
    """What is wrong with one translation: missing, empty, fuzzy, outdated, placeholders (a translation
    keeps the English text's placeholders and may use only those and the ``extra`` ones the code also
    passes, named in the .pot's comment of the entry, e.g. ``#. also {changed}``)."""
    where = f"{lang}: {key}"
    if message is None:
        return [f"{where}: missing"]
    strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
    out = []
    if message.fuzzy:
        out.append(f"{where}: fuzzy")
    if message.id != english:
        out.append(f"{where}: outdated (its msgid is not the English text of the .pot)")
    if isinstance(english, (tuple, list)) and len(strings) != n_forms:
        out.append(f"{where}: {len(strings)} plural forms, {lang} has {n_forms}")
    if not all(strings):
        return out + [f"{where}: empty"]
    want = _placeholders(english[-1] if isinstance(english, (tuple, list)) else english)
    for text in strings:
        if not want <= _placeholders(text) <= want | extra:
            out.append(f"{where}: placeholders {sorted(_placeholders(text))} instead of {sorted(want)}")
            break
    return out


def _used_keys(code_dir: Path) -> dict[str, str]:
    """Keys the code asks for literally (t or tn called with a quoted key) -> the first file asking.

    Doctest lines (``>>>``) are left out: they show unknown keys on purpose."""
    used = {}
    for path in sorted(code_dir.rglob("*")):
        if path.suffix not in (".py", ".j2", ".ipynb") or not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            for key in _CALL.findall(line) if ">>>" not in line else ():
                used.setdefault(key, str(path.relative_to(code_dir.parent)))
    return used


def check(locale_dir: Path | None = None, code_dir: Path | None = None) -> list[str]:
    """Everything a translator or a maintainer still has to do; empty when the catalogues are complete.

    Parameters
    ----------
    locale_dir : pathlib.Path, optional
        The catalogues' folder (default ``cxkit/locale``).
    code_dir : pathlib.Path, optional
        The code searched for ``t("...")`` / ``tn("...")`` calls (default the ``cxkit`` package).

    Returns
    -------
    list of str
        One line per problem: ``<lang>: <key>: missing / empty / fuzzy / outdated / placeholders ...``,
        ``<key>: still in cxkit.i18n (run import-dict)``, ``<key>: used in <file> but in no catalogue``.
    """
    locale_dir = Path(locale_dir) if locale_dir is not None else _catalogue.LOCALE_DIR
    code_dir = Path(code_dir) if code_dir is not None else Path(i18n.__file__).parent
    pot = [m for m in _catalogue.read_catalogue(_catalogue.catalogue_path("en", locale_dir)) if m.id and m.context]
    template = {m.context: m.id for m in pot}
    extra = {m.context: _placeholders(" ".join(m.auto_comments)) for m in pot}
    problems = []
    for lang in i18n.LANGUAGES[1:]:
        cat = _catalogue.read_catalogue(_catalogue.catalogue_path(lang, locale_dir))
        if cat.num_plurals != len(_catalogue.PLURAL_CATEGORIES[lang]):
            problems.append(f"{lang}: Plural-Forms has {cat.num_plurals} forms, CLDR has "
                            f"{len(_catalogue.PLURAL_CATEGORIES[lang])}")
        messages = {m.context: m for m in cat if m.id and m.context}
        for key, english in template.items():
            problems += _entry_problems(lang, key, english, messages.get(key), cat.num_plurals, extra[key])
    problems += [f"{key}: still in cxkit.i18n (run import-dict)" for key in _pending()]
    problems += [f"{key}: used in {where} but in no catalogue" for key, where in _used_keys(code_dir).items()
                 if key not in template and key not in i18n._STRINGS]
    return problems


def main(argv: list[str] | None = None) -> int:
    """The command line: ``import-dict`` or ``check``.

    Parameters
    ----------
    argv : list of str, optional
        The arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit code: 0, or 1 when ``check`` finds problems.
    """
    parser = argparse.ArgumentParser(prog="python -m cxkit.i18n_catalogue", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["import-dict", "check"])
    parser.add_argument("--locale-dir", type=Path, default=None, help="the catalogues (default cxkit/locale)")
    args = parser.parse_args(argv)
    if args.command == "import-dict":
        moved = import_dict(args.locale_dir)
        print(f"{moved} keys moved into the catalogues" if moved else "nothing to move: the dicts are empty")
        return 0
    problems = check(args.locale_dir)
    for line in problems:
        print(line)
    template = _catalogue.read_catalogue(_catalogue.catalogue_path("en", args.locale_dir))
    print(f"{len([m for m in template if m.id])} texts, {len(problems)} problems", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
