"""Where attachment files are kept: one small interface, a local directory by default.

The database holds only a random key per file (never the uploader's file name, so no name
can reach a path). An S3-compatible object store is the option for a larger operator
(app.attachments.s3, with boto3; ALLMENDE_ATTACHMENT_STORAGE=s3).

Files are written before the transaction that records them commits and deleted only after
the transaction that forgets them has committed (delete_after_commit): a rollback can leave
a file nobody points at, never a row whose file is gone. sweep() removes such leftovers.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.config import ConfigurationError, Settings

CHUNK = 64 * 1024
KEY_PATTERN = re.compile(r"[0-9a-f]{32}")


def new_key() -> str:
    return secrets.token_hex(16)


class Storage(Protocol):
    """Keeps files under keys made by new_key()."""

    def put(self, key: str, source: BinaryIO) -> None:
        """Store the whole stream (read from where it stands) under the key."""

    def chunks(self, key: str) -> Iterator[bytes]:
        """The stored file, piece by piece (FileNotFoundError if there is none)."""

    def delete(self, key: str) -> None:
        """Remove the file; a missing one is no error."""

    def keys(self, older_than: float) -> Iterator[str]:
        """Every key stored before this time (seconds since the epoch), for sweep()."""


class LocalStorage:
    """A directory: each file as <dir>/<first two characters of the key>/<key>."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not KEY_PATTERN.fullmatch(key):
            raise ValueError("not a storage key")
        return self.root / key[:2] / key

    def put(self, key: str, source: BinaryIO) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written under a temporary name and renamed: a reader never sees half a file.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as target:
                while chunk := source.read(CHUNK):
                    target.write(chunk)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise

    def chunks(self, key: str) -> Iterator[bytes]:
        with self._path(key).open("rb") as source:
            while chunk := source.read(CHUNK):
                yield chunk

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(key).unlink()

    def keys(self, older_than: float) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in self.root.glob("*/*"):
            if KEY_PATTERN.fullmatch(path.name) and path.stat().st_mtime < older_than:
                yield path.name


# Backends beside the local one, registered by the entry level when their library is
# installed (app.wiring: "s3" with boto3, from allmende[s3]).
_backends: dict[str, Callable[[Settings], Storage]] = {}


def register(name: str, factory: Callable[[Settings], Storage]) -> None:
    _backends[name] = factory


def from_settings(settings: Settings) -> Storage:
    """The configured storage (ConfigurationError if its library is not installed)."""
    if settings.attachment_storage == "local":
        return LocalStorage(Path(settings.attachment_dir))
    factory = _backends.get(settings.attachment_storage)
    if factory is None:
        raise ConfigurationError(
            f"ALLMENDE_ATTACHMENT_STORAGE={settings.attachment_storage} needs its library: "
            "pip install 'allmende[s3]'"
        )
    return factory(settings)


def delete_after_commit(db: Session, storage: Storage, keys: Iterable[str]) -> None:
    """Delete these files once the session's transaction has committed (not if it rolls
    back: the rows pointing at them are then still there)."""
    doomed = list(keys)
    if not doomed:
        return

    def remove(_session: Session) -> None:
        for key in doomed:
            storage.delete(key)

    event.listen(db, "after_commit", remove, once=True)


def sweep(storage: Storage, known: set[str], *, grace_seconds: float = 3600) -> int:
    """Delete stored files no row knows (left by a rollback or a deleted Vorhaben, whose
    rows the database removed); returns how many. Files younger than the grace period
    are left alone: their transaction may not have committed yet."""
    removed = 0
    for key in list(storage.keys(time.time() - grace_seconds)):
        if key not in known:
            storage.delete(key)
            removed += 1
    return removed
