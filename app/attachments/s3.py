"""Attachment storage in an S3-compatible object store (AWS S3, MinIO, Ceph, the object
storage of German cloud providers), with boto3: `pip install 'allmende[s3]'`.

The bucket, an optional key prefix, endpoint URL and region come from the settings;
credentials from boto3's own chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile,
an instance role), never from Allmende's settings. The bucket should be private and
encrypted at rest; files are only ever served through Allmende's visibility check.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

import boto3
from botocore.exceptions import ClientError

from app.attachments.storage import CHUNK, KEY_PATTERN
from app.config import Settings


class S3Storage:
    """Objects named <prefix><key> in one bucket."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Storage:
        client = boto3.client(
            "s3",
            endpoint_url=settings.attachment_s3_endpoint_url,
            region_name=settings.attachment_s3_region,
        )
        return cls(client, settings.attachment_s3_bucket or "", settings.attachment_s3_prefix)

    def _name(self, key: str) -> str:
        if not KEY_PATTERN.fullmatch(key):
            raise ValueError("not a storage key")
        return self.prefix + key

    def put(self, key: str, source: BinaryIO) -> None:
        # upload_fileobj streams in parts (multipart upload for large files).
        self.client.upload_fileobj(source, self.bucket, self._name(key))

    def chunks(self, key: str) -> Iterator[bytes]:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                raise FileNotFoundError(key) from None
            raise
        body = response["Body"]
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def keys(self, older_than: float) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            for item in page.get("Contents", ()):
                key = item["Key"][len(self.prefix) :]
                if KEY_PATTERN.fullmatch(key) and item["LastModified"].timestamp() < older_than:
                    yield key
