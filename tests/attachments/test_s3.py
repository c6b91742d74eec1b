"""The S3 backend of the attachment storage, against moto's in-process S3: the same
upload, download, deletion and sweep as with the local directory."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from fastapi.testclient import TestClient
from moto import mock_aws
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.attachments import storage
from app.attachments.models import Attachment
from app.attachments.s3 import S3Storage
from app.config import ConfigurationError, Settings, load_settings
from tests import factories
from tests.attachments import samples
from tests.attachments.test_routes import upload

BUCKET = "allmende-anhaenge"


@pytest.fixture(autouse=True)
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-central-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name="eu-central-1")
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
        )
        yield client


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {
        "attachment_storage": "s3",
        "attachment_s3_bucket": BUCKET,
        "attachment_s3_region": "eu-central-1",
    }


def test_upload_download_and_delete_through_s3(
    client: TestClient, db: Session, settings: Settings, s3: Any
) -> None:
    assert isinstance(storage.from_settings(settings), S3Storage)
    owner = factories.account(db)
    vorhaben = factories.vorhaben(db, owner, "In der Wolke")
    factories.login(client, db, owner)
    picture = samples.image("PNG", (900, 600))
    assert upload(client, vorhaben.id, "Plan.png", picture).status_code == 303
    attachment = db.scalars(select(Attachment)).one()
    names = {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert names == {
        f"attachments/{attachment.storage_key}",
        f"attachments/{attachment.preview_key}",
    }
    assert client.get(f"/anhaenge/{attachment.id}").content == picture
    assert client.get(f"/anhaenge/{attachment.id}/vorschau").status_code == 200
    token = factories.csrf_token(client, f"/vorhaben/{vorhaben.id}")
    assert (
        client.post(f"/anhaenge/{attachment.id}/loeschen", data={"csrf_token": token}).status_code
        == 303
    )
    assert "Contents" not in s3.list_objects_v2(Bucket=BUCKET)


def test_a_missing_object_is_404_and_the_sweep_lists_the_bucket(
    client: TestClient, db: Session, settings: Settings
) -> None:
    files = storage.from_settings(settings)
    key = storage.new_key()
    files.put(key, io.BytesIO(b"verwaist"))
    assert b"".join(files.chunks(key)) == b"verwaist"
    assert list(files.keys(time.time() + 60)) == [key]
    assert list(files.keys(time.time() - 3600)) == []  # too young to be swept
    assert storage.sweep(files, set(), grace_seconds=-60) == 1
    with pytest.raises(FileNotFoundError):
        next(files.chunks(key))


def test_s3_without_a_bucket_refuses_to_start() -> None:
    with pytest.raises(ConfigurationError, match="ALLMENDE_ATTACHMENT_S3_BUCKET"):
        load_settings(env="test", attachment_storage="s3")
