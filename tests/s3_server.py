"""An S3 API server of the tests' own: moto in server mode, in a process on a free loopback port
(nothing on the network, no account), with a client to look into its buckets as an operator
would (``aws s3 ls``), and the settings and environment that point the portal at it."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import boto3

from cms.files.locations import ObjectStore, file_storages
from tests.smtp_server import free_port

ROOT = Path(__file__).resolve().parents[1]
LOGS = ROOT / "var" / "test" / "worker-logs"
#: moto accepts any credentials; the portal must still send some, as it would to a real store.
ACCESS_KEY_ID, SECRET_ACCESS_KEY, REGION = "tp-test-key", "tp-test-secret", "us-east-1"


class S3Server:
    def __init__(self):
        self.port = free_port()
        self.endpoint_url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self) -> S3Server:
        LOGS.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            cwd=ROOT,
            stdout=(LOGS / f"moto-{self.port}.log").open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(self.endpoint_url + "/moto-api/", timeout=2):
                    return self
            except urllib.error.HTTPError:
                return self  # it answers
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto did not start; see {LOGS}") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_ACCESS_KEY,
            region_name=REGION,
        )

    def create_bucket(self, name: str) -> str:
        self.client().create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        pages = (
            self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        )
        return [item["Key"] for page in pages for item in page.get("Contents", [])]

    def read(self, bucket: str, key: str) -> bytes:
        return self.client().get_object(Bucket=bucket, Key=key)["Body"].read()

    def environment(self, bucket: str, **variables: str) -> dict[str, str]:
        """The ``TRUSTPORTAL_S3_*`` variables of a portal on ``bucket`` (others as keywords:
        ``PUBLIC_PREFIX="images"``)."""
        return {
            "TRUSTPORTAL_S3_BUCKET": bucket,
            "TRUSTPORTAL_S3_ENDPOINT_URL": self.endpoint_url,
            "TRUSTPORTAL_S3_REGION": REGION,
            "TRUSTPORTAL_S3_ACCESS_KEY_ID": ACCESS_KEY_ID,
            "TRUSTPORTAL_S3_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
            **{f"TRUSTPORTAL_S3_{name}": value for name, value in variables.items()},
        }

    def storages(self, bucket: str, **variables: str) -> dict:
        """``STORAGES`` as the settings make them from ``environment(bucket)``."""
        store = ObjectStore.from_environment(self.environment(bucket, **variables))
        return file_storages(store, protected_root=Path("/nonexistent"))
