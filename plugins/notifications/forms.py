from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from cms.models import organization_of
from cms.models.organizations import normalize_domain

from .models import Frequency, NotificationSettings

#: Why an account cannot be e-mailed, shown on the settings page before anything is submitted.
NO_ORGANIZATION = _(
    "E-mail notifications go to an address in your organization's verified domains, and a "
    "personal account belongs to no organization. The update feed below works for every account."
)
NO_DOMAIN = _(
    "E-mail notifications go to an address in your organization's verified domains, and your "
    "organization has none yet. The update feed below works for every account."
)


class NotificationSettingsForm(forms.ModelForm):
    # Not required: "how often" means something only while e-mail is on, so nothing is
    # preselected while it is off (see ``__init__``) and ``clean`` asks for it when it is on.
    frequency = forms.ChoiceField(
        label=capfirst(NotificationSettings._meta.get_field("frequency").verbose_name),
        choices=Frequency.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Only used while e-mail is on."),
    )
    email = forms.EmailField(
        label=_("Send to"),
        required=False,
        help_text=_("An address in one of your organization's verified domains."),
    )

    class Meta:
        model = NotificationSettings
        fields = ["enabled", "frequency", "subprocessor_changes"]
        help_texts = {"subprocessor_changes": _("Only used while e-mail is on.")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.organization = organization_of(user)
        self.domains = self.organization.domains if self.organization else []
        instance = kwargs.get("instance")
        if instance is not None and not self.is_bound:
            self.initial["email"] = instance.pending_email or instance.email or user.email
            if not instance.enabled:
                self.initial["frequency"] = None
        self.fields["subprocessor_changes"].widget.attrs["aria-describedby"] = "subprocessor-help"
        if self.cannot_email:
            # Controls that cannot work are shown disabled (the page says why), and a post of
            # them anyway is refused in ``clean``.
            for name in ("enabled", "frequency", "subprocessor_changes", "email"):
                self.fields[name].disabled = True
                self.fields[name].widget.attrs["aria-describedby"] = "cannot-email"

    @property
    def cannot_email(self) -> str:
        """Why this account cannot be e-mailed ("" when it can)."""
        if self.organization is None:
            return NO_ORGANIZATION
        return "" if self.domains else NO_DOMAIN

    def _sent(self, name: str):
        """What was sent for the disabled field ``name`` (a disabled field ignores it)."""
        field = self.fields[name]
        return field.to_python(
            field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
        )

    def clean_email(self):
        email = (self.cleaned_data.get("email") or "").strip().lower()
        if not email or self.cannot_email:
            return email  # without any domain, ``clean`` says why once
        if normalize_domain(email.rpartition("@")[2]) not in self.domains:
            raise forms.ValidationError(
                _("Use an address in your organization's domains: %(domains)s.")
                % {"domains": ", ".join(self.domains)}
            )
        return email

    def clean(self):
        cleaned = super().clean()
        if self.cannot_email:
            # Disabled fields keep their stored values whatever is sent, so look at what was
            # sent: asking for e-mail is refused with the reason; anything else (the API's
            # language, say) goes through.
            if self._sent("enabled") or self._sent("subprocessor_changes") or self._sent("email"):
                raise forms.ValidationError(self.cannot_email)
            return cleaned
        if cleaned.get("enabled"):
            if not cleaned.get("email"):
                self.add_error("email", _("Give the address to send notifications to."))
            if not cleaned.get("frequency"):
                self.add_error("frequency", _("Choose how often to e-mail you."))
        else:
            # Off, a frequency says nothing: the one stored is kept for when e-mail is on again.
            cleaned["frequency"] = self.instance.frequency
        return cleaned
