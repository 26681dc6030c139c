"""Where the prepared data live: a local folder or a URL (``s3://``, ``gs://``, ``abfs://``, ``file://``),
read through one code path (Arrow's file systems); staging a batch's data to a URL for Dask workers.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from ..errors import ConfigError, CxkitError

__all__ = []


def _stage_filesystem(url: str):
    """Arrow's file system and path for a ``--stage`` URL, or a clear error."""
    from urllib.parse import urlsplit


    if not is_url(url):
        raise ConfigError(f"--stage {url!r}: expected a URL such as s3://bucket/prefix, gs://bucket/prefix or "
                          "file:///shared/path")
    parts = urlsplit(url)
    if parts.password:  # s3://KEY:SECRET@bucket (abfs://container@account... names no secret)
        raise ConfigError("--stage: give credentials in the environment of this process and of the workers (for "
                          "S3: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), not in the URL: the URL is written into "
                          "every notebook and the manifest")
    return open_url(url, "--stage")


def stage_prepared(data_dir: str | Path, stage: str) -> str:
    """Copy a batch's prepared data (``OUT/_data``) under the URL ``stage``, in a new folder of its own
    (two batches staging to the same place do not meet); returns that folder's URL, query kept
    (e.g. ``s3://bucket/prefix/cxkit-3f2a...?endpoint_override=...``)."""
    import uuid
    from urllib.parse import urlsplit, urlunsplit

    from pyarrow import fs as pafs

    parts = urlsplit(stage)
    url = urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}/cxkit-{uuid.uuid4().hex}"))
    fs, path = _stage_filesystem(url)
    try:
        fs.create_dir(path, recursive=True)
        pafs.copy_files(str(Path(data_dir).resolve()), path, source_filesystem=pafs.LocalFileSystem(),
                        destination_filesystem=fs)
    except BaseException as exc:
        _unstage(url)  # no half copy left behind
        if isinstance(exc, OSError):
            raise CxkitError(f"--stage {stage!r}: could not copy the prepared data there ({exc})") from None
        raise
    return url


def _unstage(url: str) -> None:
    """Delete a staged copy when the batch ends (it holds customers' data)."""
    from pyarrow import fs as pafs

    fs, path = _stage_filesystem(url)
    try:
        if fs.get_file_info(path).type != pafs.FileType.NotFound:  # a copy that failed early left nothing
            fs.delete_dir(path)
    except OSError as exc:
        warnings.warn(f"could not delete the staged data at {url}: {exc}", stacklevel=2)


def _read_partition(path, filesystem=None) -> pd.DataFrame:
    """One partition file of the batch, text as Arrow-backed strings (as :func:`cxkit.load` gives them;
    a Python object per id and comment would cost a unit report about 0.4 s)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    text = pd.StringDtype("pyarrow")
    return pq.read_table(path, filesystem=filesystem).to_pandas(types_mapper={pa.string(): text,
                                                                             pa.large_string(): text}.get)


def is_url(location: str) -> bool:
    """True for a URL such as ``s3://bucket/prefix`` or ``file:///srv/x``; False for a local path."""
    import re

    return re.match(r"[A-Za-z][A-Za-z0-9+.-]+://", str(location)) is not None


def open_url(location: str, what: str):
    """Arrow's file system and path for a URL, or a cxkit error naming ``what`` the URL was given for."""
    from pyarrow import fs as pafs

    try:
        return pafs.FileSystem.from_uri(location)
    except Exception as exc:  # noqa: BLE001 - Arrow raises several types for a bad URL
        raise ConfigError(f"{what} {location!r}: Arrow cannot open this URL ({exc})") from None


class PreparedSource:
    """Where a batch's prepared data lives: a local folder, or a URL of an object store or file
    system that Arrow can open (``s3://``, ``gs://``, ``abfs://``, ``file://``).

    Used by :func:`open_report`; a Dask worker that shares no file system with the batch parent
    reads its unit's partition through such a URL (``cxkit report --stage URL``).
    """

    def __init__(self, location: str | Path):
        location = str(location)
        if is_url(location):
            self.filesystem, self.root = open_url(location, "prepared data")
            self.root = self.root.rstrip("/")
        else:
            self.filesystem, self.root = None, str(Path(location))

    def path(self, *parts: str) -> str:
        return "/".join([self.root, *parts]) if self.filesystem is not None else str(Path(self.root, *parts))

    def exists(self, *parts: str) -> bool:
        if self.filesystem is None:
            return Path(self.root, *parts).exists()
        from pyarrow import fs as pafs

        return self.filesystem.get_file_info(self.path(*parts)).type != pafs.FileType.NotFound

    def read_text(self, *parts: str) -> str:
        if self.filesystem is None:
            return Path(self.root, *parts).read_text(encoding="utf-8")
        with self.filesystem.open_input_stream(self.path(*parts)) as fh:
            return fh.read().decode("utf-8")

    def parquet_files(self, *parts: str) -> list[str]:
        """The ``.parquet`` files directly in a folder, sorted by name (none if it does not exist)."""
        if self.filesystem is None:
            folder = Path(self.root, *parts)
            return [str(p) for p in sorted(folder.glob("*.parquet"))] if folder.exists() else []
        from pyarrow import fs as pafs

        infos = self.filesystem.get_file_info(pafs.FileSelector(self.path(*parts), allow_not_found=True))
        return sorted(i.path for i in infos if i.type == pafs.FileType.File and i.path.endswith(".parquet"))

    def read_frame(self, path: str) -> pd.DataFrame:
        """A context table as ``pandas.read_parquet`` gives it."""
        return pd.read_parquet(path, filesystem=self.filesystem)

    def read_partition(self, path: str) -> pd.DataFrame:
        return _read_partition(path, self.filesystem)
