"""Files in an S3-compatible object store (AWS S3, MinIO, Ceph, Garage…) through django-storages,
so that every app instance and worker reads the same files (``cms.files.locations`` chooses it
from the environment; ``pip install ".[s3]"``).

Objects are private whatever the bucket holds: no ACL of their own (the bucket's, private by
default). Protected files never get a URL, not even a pre-signed one: readers get them from the
download view, which asks the access policy each time and streams the object through the
application (watermarked when it is a gated PDF). Names are never reused, as on disk: a new
upload with the name of a stored file gets a name of its own instead of replacing it.
"""

from __future__ import annotations

from botocore.config import Config
from django.core.exceptions import ImproperlyConfigured
from storages.backends.s3 import S3Storage

#: A download is read from the store into a temporary file, in memory up to this size and on
#: disk beyond it (``FILE_UPLOAD_TEMP_DIR``), then streamed to the reader: a large report never
#: sits whole in a process's memory. (django-storages' default, 0, means never on disk.)
SPOOL_IN_MEMORY_BYTES = 1024 * 1024

#: A store that does not answer fails the request after seconds rather than holding a web
#: thread for botocore's default minute; ``standard`` retries transient errors, with backoff.
#: Signature version 4 everywhere (what every region and S3-compatible server accepts; botocore
#: would pre-sign public media's URLs with the deprecated version 2).
CLIENT_CONFIG = Config(
    connect_timeout=5,
    read_timeout=30,
    retries={"max_attempts": 3, "mode": "standard"},
    signature_version="s3v4",
)

#: Options that would make objects readable without the application: refused for the protected
#: storage whatever the settings say.
_PUBLIC_OPTIONS = ("default_acl", "querystring_auth", "custom_domain", "cloudfront_key_id")


class PrivateObjectStorage(S3Storage):
    """An S3 bucket (under a prefix) whose objects get no ACL and are never overwritten."""

    default_acl = None
    file_overwrite = False
    max_memory_size = SPOOL_IN_MEMORY_BYTES
    client_config = CLIENT_CONFIG


class ProtectedObjectStorage(PrivateObjectStorage):
    """Trust-document files and evidence: like ``ProtectedFileSystemStorage``, no URL at all."""

    querystring_auth = False

    def __init__(self, **settings):
        opened = [name for name in _PUBLIC_OPTIONS if settings.get(name)]
        if opened:
            raise ImproperlyConfigured(
                f"The protected storage cannot take {', '.join(opened)}: its objects are "
                "private and served by the download view only."
            )
        acl = (settings.get("object_parameters") or {}).get("ACL")
        if acl not in (None, "private"):
            raise ImproperlyConfigured(f"The protected storage's objects are private, not {acl}.")
        super().__init__(**settings)

    def url(self, name, *args, **kwargs):
        raise ValueError("Protected files have no URL; they are served by the download view.")


class PublicMediaObjectStorage(PrivateObjectStorage):
    """Editorial images (Wagtail's image library): linked with a short-lived pre-signed URL, or
    at ``TRUSTPORTAL_S3_MEDIA_URL`` (a CDN or a bucket policy that opens this prefix only)."""
