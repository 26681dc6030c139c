"""Converting a file's text cells to typed columns, one module per type, with every repair reported.

:mod:`.columns` settles cells every type shares (Excel error values, placeholders such as ``N/A``,
leading apostrophes, formulas without a saved result) and hands the column to :mod:`.text` (ids,
categories, free text), :mod:`.scores`, :mod:`.numbers`, :mod:`.dates` or :mod:`.yes_no`. Each
converter returns ``(typed values, bad mask, expected text or array)`` and records its repairs in the
shared :class:`~cxkit.data.convert.context._Conversion`.
"""

#: no public names: the converters are used by the validator (:mod:`cxkit.data.validate`)
__all__: list[str] = []
