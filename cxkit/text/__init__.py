"""Comments: themes, language detection, personal-data redaction.

* personal data (:mod:`.pii`): :func:`redact` removes bank account numbers (IBANs of every country, the
  Polish NRB), e-mail addresses, phone numbers (LT, LV, PL, UK and international), Lithuanian / Latvian /
  Polish personal codes (and Latvian VAT numbers of persons) and payment card numbers from comments
  before anyone reads them; :func:`find_pii` lists what it would remove.
* dictionaries (:mod:`.dictionaries`): :data:`THEMES` holds keyword/stem dictionaries for Lithuanian,
  Latvian, Polish and English with the common CX themes (delivery, price, staff, waiting, website,
  billing, quality); :func:`load_themes` merges your own (dict or YAML file).
* language (:mod:`.language`): matching is case- and accent-insensitive (:func:`fold_text`) and uses
  stems, so inflected forms match ("pristatymas", "pristatymo", "pristatymą"); :func:`detect_language`
  guesses the language of a comment.
* themes: :func:`themes` (:mod:`.theme_flags`) flags the themes of each comment; :func:`theme_summary`
  (:mod:`.theme_impact`) counts them per NPS group and tests whether comments on a theme come with a
  different NPS (with a multiple-testing correction); :func:`example_comments` (:mod:`.examples`) picks
  redacted examples.

Methods and the dictionary format are described in ``docs/statistics.md`` and ``docs/comments.md``.
"""
from .language import *  # noqa: F401,F403
from .dictionaries import *  # noqa: F401,F403
from .theme_flags import *  # noqa: F401,F403
from .theme_impact import *  # noqa: F401,F403
from .examples import *  # noqa: F401,F403
from .pii import *  # noqa: F401,F403
from . import (dictionaries as _dictionaries, examples as _examples, language as _language, pii as _pii,
               theme_flags as _theme_flags, theme_impact as _theme_impact)

__all__ = [*_dictionaries.__all__, *_language.__all__, *_theme_flags.__all__, *_theme_impact.__all__,
           *_examples.__all__, *_pii.__all__]
