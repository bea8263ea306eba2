"""Storage for trust-document files: it has no URLs, so nothing can link to a file directly."""

from django.core.files.storage import FileSystemStorage


class ProtectedFileSystemStorage(FileSystemStorage):
    """A folder outside MEDIA_ROOT whose files are only ever read by the download view.

    ``url()`` refuses instead of falling back to MEDIA_URL as Django's storage does, so no
    template or serializer can leak a path a web server might serve.
    """

    def url(self, name):
        raise ValueError("Protected files have no URL; they are served by the download view.")
