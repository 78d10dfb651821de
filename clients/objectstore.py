"""The object store (S3 API through the minio client): voice answers and converted audio."""

from __future__ import annotations

import io
from pathlib import Path

import urllib3
from minio import Minio
from minio.error import MinioException

from clients.settings import S3Connection


class StorageFailed(RuntimeError):
    """An object operation the store did not confirm."""


def minio_client(s3: S3Connection, timeout_s: float = 10.0, retries: int = 2) -> Minio:
    return Minio(
        s3.endpoint,
        access_key=s3.access_key,
        secret_key=s3.secret_key,
        secure=s3.secure,
        # Bounded, so a stuck store fails the caller instead of hanging it.
        http_client=urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=3, read=timeout_s),
            retries=urllib3.Retry(total=retries, backoff_factor=0.2),
        ),
    )


def answer_key(user_id: str, answer_id: str, extension: str = "ogg") -> str:
    """Where an answer's original recording is stored until conversion deletes it."""
    return f"answers/{user_id}/{answer_id}.{extension}"


def wav_key(user_id: str, answer_id: str) -> str:
    """Where an answer's converted 16 kHz mono WAV is kept."""
    return f"wav/{user_id}/{answer_id}.wav"


class ObjectStore:
    def __init__(self, s3: S3Connection, timeout_s: float = 10.0) -> None:
        self.bucket = s3.bucket
        self._client = minio_client(s3, timeout_s)

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        try:
            self._client.put_object(
                self.bucket, key, io.BytesIO(data), len(data), content_type=content_type
            )
        except (MinioException, urllib3.exceptions.HTTPError) as exc:
            raise StorageFailed(f"upload of {key} failed: {exc}") from exc

    def put_file(self, key: str, path: Path, content_type: str) -> None:
        try:
            self._client.fput_object(self.bucket, key, str(path), content_type=content_type)
        except (MinioException, urllib3.exceptions.HTTPError) as exc:
            raise StorageFailed(f"upload of {key} failed: {exc}") from exc

    def get_file(self, key: str, path: Path, bucket: str | None = None) -> None:
        try:
            self._client.fget_object(bucket or self.bucket, key, str(path))
        except (MinioException, urllib3.exceptions.HTTPError) as exc:
            raise StorageFailed(f"download of {key} failed: {exc}") from exc

    def delete(self, key: str, bucket: str | None = None) -> None:
        try:
            self._client.remove_object(bucket or self.bucket, key)
        except (MinioException, urllib3.exceptions.HTTPError) as exc:
            raise StorageFailed(f"deleting {key} failed: {exc}") from exc

    def exists(self, key: str, bucket: str | None = None) -> bool:
        try:
            self._client.stat_object(bucket or self.bucket, key)
        except MinioException:
            return False
        return True
