"""The optional virus scan: every upload is streamed to ClamAV's daemon (clamd) with its
INSTREAM command when ALLMENDE_CLAMD_SOCKET names it (a Unix socket path, or tcp://host:port).

The protocol is small (a command, length-prefixed chunks, a zero length, one reply line), so
it is spoken here directly; the `clamd` package on PyPI has not been maintained since 2014.
A scanner that cannot be reached, or that answers with an error, refuses the upload: with a
scanner configured, no file is kept unscanned.
"""

from __future__ import annotations

import socket
import struct
from typing import BinaryIO
from urllib.parse import urlsplit

from app.attachments.kinds import refuse
from app.i18n import gettext as _

CHUNK = 64 * 1024
TIMEOUT = 60.0


class ScanFailed(Exception):
    """The scanner could not give a verdict."""


def _connect(address: str) -> socket.socket:
    if address.startswith("tcp://"):
        parts = urlsplit(address)
        if not parts.hostname or not parts.port:
            raise ScanFailed("the clamd address must look like tcp://host:port")
        return socket.create_connection((parts.hostname, parts.port), timeout=TIMEOUT)
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.settimeout(TIMEOUT)
    try:
        connection.connect(address)
    except OSError:
        connection.close()
        raise
    return connection


def verdict(address: str, file: BinaryIO) -> str | None:
    """None for a clean file, else the name of what clamd found (ScanFailed if it could
    not say)."""
    file.seek(0)
    try:
        with _connect(address) as connection:
            connection.sendall(b"zINSTREAM\0")
            while chunk := file.read(CHUNK):
                connection.sendall(struct.pack("!L", len(chunk)) + chunk)
            connection.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0") and len(reply) < 4096:
                part = connection.recv(4096)
                if not part:
                    break
                reply += part
    except OSError as error:
        raise ScanFailed(str(error)) from None
    finally:
        file.seek(0)
    text = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if text.endswith(" OK"):
        return None
    if text.endswith(" FOUND"):
        return text.removeprefix("stream:").removesuffix(" FOUND").strip()
    raise ScanFailed(text or "no reply")


def check(address: str | None, file: BinaryIO) -> None:
    """Refuse a file the scanner finds something in, or cannot scan (no scanner: nothing)."""
    if not address:
        return
    try:
        found = verdict(address, file)
    except ScanFailed:
        raise refuse(
            _(
                "Die Virenprüfung ist gerade nicht erreichbar. Bitte versuchen Sie es später "
                "noch einmal."
            )
        ) from None
    if found is not None:
        raise refuse(_("Die Virenprüfung hat etwas gefunden (%(name)s).", name=found))
