"""What every place that keeps a file (photos, receipts, certificates, minutes) asks of the store it is kept in.

A file is named inside its store by a plain name (``payout-12-…jpg``), never a path: the store decides where
it lives, on the local disk (the default) or in an S3 bucket (``SHOP_STORAGE_URL``), so two machines behind one
database see the same files. Callers write the file first and its row second, so a store that fails leaves no
row naming a file that is not there.
"""

from __future__ import annotations

import contextlib
import mimetypes
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

# One path segment: letters, digits and . _ - (never leading with a dot), so no name leaves its store.
NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}")


class StorageUnavailable(RuntimeError):
    """The store did not answer, or refused us (credentials, bucket): the request fails with 503 and nothing
    that named the file is recorded."""


class FileMissing(LookupError):
    """No file under that name in this store (or a name that could not be one)."""


@dataclass(frozen=True)
class FileInfo:
    size: int
    modified: datetime  # timezone-aware UTC
    etag: str  # quoted, as sent in an ETag header


@dataclass
class OpenedFile:
    """A file being read: its facts, and its bytes as they arrive (``close`` lets go of the connection)."""

    info: FileInfo
    chunks: Iterator[bytes]
    close: Callable[[], None] = field(default=lambda: None)


def checked_name(name: str | None) -> str:
    if not name or not NAME.fullmatch(name):
        raise FileMissing(name)
    return name


def media_type_of(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


class FileStore(ABC):
    """One folder's worth of files (the photos, the receipts …), on disk or under a prefix of a bucket."""

    @abstractmethod
    def put(self, name: str, data: bytes) -> None:
        """Store ``data`` whole under ``name`` (a reader never sees half a file), replacing what was there."""

    @abstractmethod
    def get(self, name: str) -> bytes:
        """The file's bytes; ``FileMissing`` if there is none."""

    @abstractmethod
    def open(self, name: str) -> OpenedFile:
        """The file to stream; ``FileMissing`` if there is none."""

    @abstractmethod
    def stat(self, name: str) -> FileInfo | None:
        """The file's size, time and tag, or None when there is no such file."""

    @abstractmethod
    def delete(self, name: str) -> None:
        """Remove the file; a file already gone is no error."""

    @abstractmethod
    def names(self) -> Iterator[tuple[str, datetime]]:
        """Every file in the store, with when it was written (UTC), for clean-ups."""

    def exists(self, name: str) -> bool:
        return self.stat(name) is not None

    def local_path(self, name: str) -> Path | None:
        """Where the file lies on this machine's disk, if it does (so it can be sent without reading it here)."""
        return None

    def forget(self, name: str) -> None:
        """Remove a file stored for a change that was then refused: nothing names it, so a store that fails
        now only leaves an unreferenced file behind, never an error."""
        with contextlib.suppress(StorageUnavailable):
            self.delete(name)
