"""Reading table files: one module per format, and :mod:`.detect` to tell the format from a file's bytes.

Every reader hands the validator the header and the rows as text (or typed, for Parquet), with what it
repaired on the way; a file that cannot be read raises a :class:`~cxkit.errors.FileReadError` that says
what the file is.
"""

#: no public names: the readers are used through :func:`cxkit.data.loading.read_table` and
#: :func:`~cxkit.data.loading.load`
__all__: list[str] = []
