"""The optional virus scan, against a stand-in clamd: a real Unix socket server speaking
clamd's INSTREAM protocol (command, length-prefixed chunks, zero length, one reply)."""

from __future__ import annotations

import socketserver
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.attachments.models import Attachment
from tests import factories
from tests.attachments import samples
from tests.attachments.test_routes import upload

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class FakeClamd(socketserver.StreamRequestHandler):
    """Answers INSTREAM like clamd: FOUND for the EICAR test string, OK otherwise."""

    received: list[bytes]

    def _exactly(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            part = self.rfile.read(size - len(data))
            if not part:
                raise ConnectionError("short read")
            data += part
        return data

    def handle(self) -> None:
        command = b""
        while not command.endswith(b"\0"):
            command += self._exactly(1)
        if command != b"zINSTREAM\0":
            self.wfile.write(b"UNKNOWN COMMAND\0")
            return
        stream = b""
        while length := struct.unpack("!L", self._exactly(4))[0]:
            stream += self._exactly(length)
        self.received.append(stream)
        found = EICAR in stream
        self.wfile.write(b"stream: Eicar-Test-Signature FOUND\0" if found else b"stream: OK\0")


@pytest.fixture
def clamd(tmp_path: Path) -> Iterator[tuple[str, list[bytes]]]:
    path = str(tmp_path / "clamd.sock")
    received: list[bytes] = []
    handler = type("Handler", (FakeClamd,), {"received": received})
    server = socketserver.ThreadingUnixStreamServer(path, handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield path, received
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def settings_overrides(tmp_path: Path) -> dict[str, object]:
    return {
        "attachment_dir": str(tmp_path / "anhaenge"),
        "clamd_socket": str(tmp_path / "clamd.sock"),
    }


def _setup(client: TestClient, db: Session) -> int:
    owner = factories.account(db)
    vorhaben = factories.vorhaben(db, owner, "Geprüft")
    factories.login(client, db, owner)
    return vorhaben.id


def test_a_clean_file_is_scanned_and_kept(
    client: TestClient, db: Session, clamd: tuple[str, list[bytes]]
) -> None:
    vorhaben_id = _setup(client, db)
    big = samples.PDF + b"%" + b"x" * 200_000 + b"\n"  # more than one chunk
    assert upload(client, vorhaben_id, "sauber.pdf", big).status_code == 303
    assert clamd[1] == [big]
    assert db.scalars(select(Attachment)).one().display_name == "sauber.pdf"


def test_a_file_clamd_finds_something_in_is_refused(
    client: TestClient, db: Session, clamd: tuple[str, list[bytes]]
) -> None:
    vorhaben_id = _setup(client, db)
    response = upload(client, vorhaben_id, "befund.pdf", samples.PDF + EICAR)
    assert response.status_code == 422
    assert "Die Virenprüfung hat etwas gefunden (Eicar-Test-Signature)." in response.text
    assert db.scalars(select(Attachment)).all() == []


def test_without_a_reachable_scanner_nothing_is_kept(client: TestClient, db: Session) -> None:
    vorhaben_id = _setup(client, db)  # no server listens on the configured socket
    response = upload(client, vorhaben_id, "ungeprueft.pdf", samples.PDF)
    assert response.status_code == 422
    assert "Die Virenprüfung ist gerade nicht erreichbar." in response.text
    assert db.scalars(select(Attachment)).all() == []
