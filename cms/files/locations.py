"""Where files live, from the environment (read by the settings): folders on this machine, the
embedded default, or an S3-compatible object store that several machines share.

``TRUSTPORTAL_S3_BUCKET`` switches to the object store for protected files (trust documents'
versions, Compliance Manager evidence) and public media (Wagtail's images) alike: a second app
instance serves only what every instance can read. The two kinds stay apart, under their own
prefix (or in their own bucket): a CDN or bucket policy that opens the public prefix must never
reach a protected object.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

STATIC_FILES = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}


@dataclass(frozen=True)
class ObjectStore:
    """The ``TRUSTPORTAL_S3_*`` variables. Credentials and region left unset are boto3's own
    (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_DEFAULT_REGION``, an instance or
    pod role); the endpoint left unset is AWS's."""

    bucket: str
    public_bucket: str
    protected_prefix: str
    public_prefix: str
    endpoint_url: str = ""
    region: str = ""
    access_key_id: str = ""
    secret_access_key: str = ""
    #: Where readers' browsers fetch public media (a CDN in front of the bucket); unset:
    #: pre-signed URLs to the store itself.
    media_url: str = ""

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> ObjectStore | None:
        def read(name: str, default: str = "") -> str:
            return environ.get(f"TRUSTPORTAL_S3_{name}", default).strip()

        bucket = read("BUCKET")
        if not bucket:
            return None
        store = cls(
            bucket=bucket,
            public_bucket=read("PUBLIC_BUCKET") or bucket,
            protected_prefix=read("PROTECTED_PREFIX", "protected").strip("/"),
            public_prefix=read("PUBLIC_PREFIX", "media").strip("/"),
            endpoint_url=read("ENDPOINT_URL"),
            region=read("REGION"),
            access_key_id=read("ACCESS_KEY_ID"),
            secret_access_key=read("SECRET_ACCESS_KEY"),
            media_url=read("MEDIA_URL").rstrip("/"),
        )
        store.check()
        return store

    def check(self) -> None:
        if self.public_bucket == self.bucket and _overlap(
            self.protected_prefix, self.public_prefix
        ):
            raise ImproperlyConfigured(
                "TRUSTPORTAL_S3_PROTECTED_PREFIX and TRUSTPORTAL_S3_PUBLIC_PREFIX overlap in one "
                f"bucket ({self.protected_prefix!r}, {self.public_prefix!r}): whatever opens "
                "public media would open protected files too. Give each its own prefix, or "
                "public media its own bucket (TRUSTPORTAL_S3_PUBLIC_BUCKET)."
            )
        if bool(self.access_key_id) != bool(self.secret_access_key):
            raise ImproperlyConfigured(
                "Set both TRUSTPORTAL_S3_ACCESS_KEY_ID and TRUSTPORTAL_S3_SECRET_ACCESS_KEY, or "
                "neither (then boto3 finds credentials: AWS_* variables, an instance role)."
            )
        if self.media_url and urlsplit(self.media_url).scheme not in ("http", "https"):
            raise ImproperlyConfigured(
                f"TRUSTPORTAL_S3_MEDIA_URL must be an http(s) URL, not {self.media_url!r}."
            )
        if importlib.util.find_spec("storages") is None:
            raise ImproperlyConfigured(
                "TRUSTPORTAL_S3_BUCKET is set but django-storages is not installed: "
                'pip install ".[s3]"'
            )

    def options(self, bucket: str, prefix: str) -> dict:
        options = {"bucket_name": bucket, "location": prefix}
        if self.endpoint_url:
            options["endpoint_url"] = self.endpoint_url
        if self.region:
            options["region_name"] = self.region
        if self.access_key_id:
            options["access_key"] = self.access_key_id
            options["secret_key"] = self.secret_access_key
        return options

    def public_media_options(self) -> dict:
        options = self.options(self.public_bucket, self.public_prefix)
        if self.media_url:
            address = urlsplit(self.media_url)
            options["url_protocol"] = f"{address.scheme}:"
            options["custom_domain"] = address.netloc + address.path
            options["querystring_auth"] = False
        return options

    def media_origins(self) -> list[str]:
        """Origins of public media's URLs, which pages (the admin's image library, rich text)
        must be allowed to load images from."""
        if self.media_url or self.endpoint_url:
            address = urlsplit(self.media_url or self.endpoint_url)
            return [f"{address.scheme}://{address.netloc}"]
        # AWS: pre-signed URLs name the bucket in the host, with the region's endpoint or the
        # global one.
        hosts = [f"{self.public_bucket}.s3.amazonaws.com"]
        if self.region:
            hosts.append(f"{self.public_bucket}.s3.{self.region}.amazonaws.com")
        return [f"https://{host}" for host in hosts]


def _overlap(one: str, other: str) -> bool:
    """Whether one prefix holds objects of the other (an empty prefix holds every object)."""
    if not one or not other:
        return True
    return f"{one}/".startswith(f"{other}/") or f"{other}/".startswith(f"{one}/")


def file_storages(store: ObjectStore | None, protected_root: Path) -> dict:
    """``STORAGES``: the object store (``ObjectStore.from_environment``) when there is one, else
    folders on disk (public media in ``MEDIA_ROOT``, protected files in ``protected_root``)."""
    if store is None:
        return {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "protected": {
                "BACKEND": "cms.files.storage.ProtectedFileSystemStorage",
                "OPTIONS": {"location": str(protected_root)},
            },
            "staticfiles": STATIC_FILES,
        }
    return {
        "default": {
            "BACKEND": "cms.files.object_store.PublicMediaObjectStorage",
            "OPTIONS": store.public_media_options(),
        },
        "protected": {
            "BACKEND": "cms.files.object_store.ProtectedObjectStorage",
            "OPTIONS": store.options(store.bucket, store.protected_prefix),
        },
        "staticfiles": STATIC_FILES,
    }
