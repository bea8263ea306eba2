"""Create the portal's bucket in the S3-compatible object store if it is not there yet
(compose.yaml's one-shot ``objectstore-bucket``, run before any process of the portal starts).

Reads the settings the portal reads: ``TRUSTPORTAL_S3_BUCKET``, ``TRUSTPORTAL_S3_ENDPOINT_URL``,
``TRUSTPORTAL_S3_ACCESS_KEY_ID`` and ``TRUSTPORTAL_S3_SECRET_ACCESS_KEY``. Running it again
changes nothing. The bucket is created private (the store's default, and no policy is set):
files reach readers only through the portal's download view, never from the bucket itself.
"""

from __future__ import annotations

import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

#: What S3 servers answer for a bucket that does not exist (HEAD has no body: the status).
MISSING = {"404", "NoSuchBucket", "NotFound"}


def ensure_bucket(client, bucket: str) -> bool:
    """Create ``bucket`` unless it exists; whether it was created."""
    try:
        client.head_bucket(Bucket=bucket)
        return False
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in MISSING:
            raise
    client.create_bucket(Bucket=bucket)
    return True


def main() -> int:
    bucket = os.environ["TRUSTPORTAL_S3_BUCKET"]
    client = boto3.client(
        "s3",
        endpoint_url=os.environ.get("TRUSTPORTAL_S3_ENDPOINT_URL") or None,
        aws_access_key_id=os.environ["TRUSTPORTAL_S3_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["TRUSTPORTAL_S3_SECRET_ACCESS_KEY"],
        # Path-style addressing: a bucket name needs no DNS entry of its own on a private store.
        config=Config(s3={"addressing_style": "path"}, retries={"mode": "standard"}),
    )
    try:
        created = ensure_bucket(client, bucket)
    except ClientError as error:
        print(f"create_bucket: {bucket}: {error}", file=sys.stderr)
        return 1
    print(f"create_bucket: {bucket} {'created' if created else 'exists already'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
