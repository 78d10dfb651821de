"""An S3-compatible object store that keeps objects as files on disk (s3s-fs, built from
crates.io by `stack install`). Production runs MinIO; both speak the S3 API."""

from __future__ import annotations

import urllib3
from minio import Minio
from minio.error import MinioException

from clients.objectstore import minio_client
from clients.settings import S3Connection
from stack.services.base import Service, ServiceUnhealthy
from stack.settings import StackSettings

BINARY = "s3s-fs"


def connection(settings: StackSettings) -> S3Connection:
    return S3Connection(
        endpoint=settings.s3_endpoint,
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key,
        bucket=settings.s3_bucket,
    )


def client(settings: StackSettings) -> Minio:
    # No retries: fail fast while the server is still starting; the launcher polls.
    return minio_client(connection(settings), retries=0)


def service(settings: StackSettings) -> Service:
    data = settings.data_dir / "s3"
    binary = settings.bin_dir / BINARY

    def prepare() -> None:
        if not binary.exists():
            raise FileNotFoundError(f"{binary} is missing: run `speech-coach stack install`")
        data.mkdir(parents=True, exist_ok=True)

    def probe() -> None:
        try:
            client(settings).list_buckets()
        except (MinioException, urllib3.exceptions.HTTPError) as exc:
            raise ServiceUnhealthy(str(exc)) from exc

    def bootstrap() -> None:
        store = client(settings)
        if not store.bucket_exists(settings.s3_bucket):
            store.make_bucket(settings.s3_bucket)

    return Service(
        name="s3",
        address=f"http://{settings.s3_endpoint}",
        ports={"s3": settings.ports.s3},
        command=[
            str(binary),
            "--host",
            settings.host,
            "--port",
            str(settings.ports.s3),
            "--access-key",
            settings.s3_access_key,
            "--secret-key",
            settings.s3_secret_key,
            str(data),
        ],
        prepare=prepare,
        probe=probe,
        bootstrap=bootstrap,
    )
