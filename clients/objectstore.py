"""The object store (S3 API through the minio client): voice answers and converted audio."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import urllib3
from minio import Minio
from minio.commonconfig import CopySource
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
    """Where an answer's converted 16 kHz mono WAV is, until it has been transcribed."""
    return f"wav/{user_id}/{answer_id}.wav"


def kept_key(user_id: str, answer_id: str) -> str:
    """Where the WAV of a learner who keeps their recordings is kept after grading."""
    return f"kept/{user_id}/{answer_id}.wav"


# Every prefix a learner's audio lives under.
LEARNER_PREFIXES = ("answers", "wav", "kept")


def learner_prefixes(user_id: str) -> tuple[str, ...]:
    return tuple(f"{kind}/{user_id}/" for kind in LEARNER_PREFIXES)


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

    def listing(self, prefix: str) -> Iterator[tuple[str, datetime]]:
        """(key, last modified) of every object under `prefix` ("dir/" style).

        Walked one level at a time: s3s-fs 0.14, the native stack's server, truncates the
        names of a recursive listing ("rt/u1/a.wav" came back as "rt/u"); listing with the
        "/" delimiter is right on it and on every S3 server.
        """
        pending = [prefix]
        try:
            while pending:
                for item in self._client.list_objects(self.bucket, prefix=pending.pop()):
                    if item.is_dir:
                        pending.append(item.object_name)
                    elif item.last_modified is not None:
                        yield item.object_name, item.last_modified
        except (MinioException, urllib3.exceptions.HTTPError) as exc:
            raise StorageFailed(f"listing {prefix} failed: {exc}") from exc

    def delete_prefix(self, prefix: str) -> int:
        """Deletes every object under `prefix`; how many there were."""
        keys = [key for key, _ in self.listing(prefix)]
        for key in keys:
            self.delete(key)
        return len(keys)

    def move(self, key: str, to: str) -> None:
        """Copies `key` to `to`, then deletes `key` (a repeat after a crash finishes it)."""
        try:
            if self.exists(key):
                self._client.copy_object(self.bucket, to, CopySource(self.bucket, key))
        except (MinioException, urllib3.exceptions.HTTPError) as exc:
            raise StorageFailed(f"copying {key} to {to} failed: {exc}") from exc
        self.delete(key)

    def exists(self, key: str, bucket: str | None = None) -> bool:
        try:
            self._client.stat_object(bucket or self.bucket, key)
        except MinioException:
            return False
        return True
