"""Storage for trust-document files and evidence: it has no URLs, so nothing can link to a file
directly. A folder on this machine by default, an S3-compatible bucket when the environment
names one (``cms.files.locations`` chooses, ``cms.files.object_store`` holds the bucket's
classes); either way only through Django's Storage API (``open``, ``save``, ``exists``,
``delete``), never a path on disk."""

from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class ProtectedFileSystemStorage(FileSystemStorage):
    """A folder outside MEDIA_ROOT whose files are only ever read by the download view.

    ``url()`` refuses instead of falling back to MEDIA_URL as Django's storage does, so no
    template or serializer can leak a path a web server might serve.
    """

    def url(self, name):
        raise ValueError("Protected files have no URL; they are served by the download view.")


class ProtectedStorage(LazyObject):
    """``storages["protected"]``, looked up when a file is first read or written rather than when
    the models are imported (as Django's ``default_storage`` is): the file fields of trust
    documents and evidence then follow ``STORAGES`` as the settings say it, also when a test
    points it at another backend."""

    def _setup(self):
        self._wrapped = storages["protected"]


protected_storage = ProtectedStorage()


@receiver(setting_changed)
def _forget_protected_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        protected_storage._wrapped = empty
