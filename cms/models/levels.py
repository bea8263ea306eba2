from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessLevel(models.TextChoices):
    PUBLIC = "public", _("Public")
    SIGNED_IN = "signed_in", _("Signed-in users")
    NDA = "nda", _("NDA accepted")
    RESTRICTED = "restricted", _("Restricted to named groups")

    @classmethod
    def gated(cls) -> set[str]:
        """Levels whose versions go through review before they are published."""
        return {cls.NDA, cls.RESTRICTED}

    @classmethod
    def watermarked(cls) -> set[str]:
        """Levels whose PDFs readers only get as copies watermarked for them (every level but
        public: public files are served as uploaded)."""
        return {cls.SIGNED_IN, cls.NDA, cls.RESTRICTED}
