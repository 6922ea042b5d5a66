"""Files on this machine's disk, one folder per store: the default, and exactly where files always were."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from shop.storage.base import NAME, FileInfo, FileMissing, FileStore, OpenedFile, checked_name

CHUNK = 64 * 1024


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path`` and rename it, so a reader sees the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _info(stat: os.stat_result) -> FileInfo:
    tag = hashlib.md5(f"{stat.st_mtime_ns}-{stat.st_size}".encode(), usedforsecurity=False).hexdigest()
    return FileInfo(size=stat.st_size, modified=datetime.fromtimestamp(stat.st_mtime, UTC), etag=f'"{tag}"')


class LocalStore(FileStore):
    def __init__(self, root: Path):
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r})"

    def _path(self, name: str) -> Path:
        return self.root / checked_name(name)

    def put(self, name: str, data: bytes) -> None:
        write_atomically(self._path(name), data)

    def get(self, name: str) -> bytes:
        try:
            return self._path(name).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise FileMissing(name) from None

    def open(self, name: str) -> OpenedFile:
        try:
            handle = self._path(name).open("rb")
            info = _info(os.fstat(handle.fileno()))
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise FileMissing(name) from None
        return OpenedFile(info=info, chunks=iter(lambda: handle.read(CHUNK), b""), close=handle.close)

    def stat(self, name: str) -> FileInfo | None:
        try:
            path = self._path(name)
            return _info(path.stat()) if path.is_file() else None
        except FileMissing:
            return None

    def delete(self, name: str) -> None:
        with contextlib.suppress(FileMissing):
            self._path(name).unlink(missing_ok=True)

    def names(self) -> Iterator[tuple[str, datetime]]:
        if not self.root.is_dir():
            return
        for path in self.root.iterdir():
            if path.is_file() and NAME.fullmatch(path.name):
                yield path.name, datetime.fromtimestamp(path.stat().st_mtime, UTC)

    def local_path(self, name: str) -> Path | None:
        try:
            path = self._path(name)
        except FileMissing:
            return None
        return path if path.is_file() else None
