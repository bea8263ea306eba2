from django import forms
from django.utils.translation import gettext_lazy as _

from cms.models import organization_of
from cms.models.organizations import normalize_domain

from .models import NotificationSettings


class NotificationSettingsForm(forms.ModelForm):
    email = forms.EmailField(
        label=_("Send to"),
        required=False,
        help_text=_("An address in one of your organization's verified domains."),
    )

    class Meta:
        model = NotificationSettings
        fields = ["enabled", "frequency"]
        widgets = {"frequency": forms.RadioSelect}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.organization = organization_of(user)
        instance = kwargs.get("instance")
        if instance is not None and not self.is_bound:
            self.initial["email"] = instance.pending_email or instance.email or user.email

    def clean_email(self):
        email = self.cleaned_data.get("email", "").strip().lower()
        if not email:
            return email
        domains = self.organization.domains if self.organization else []
        if normalize_domain(email.rpartition("@")[2]) not in domains:
            if not domains:
                raise forms.ValidationError(
                    _(
                        "Notifications go to an address of your organization, and yours has no "
                        "verified domain."
                    )
                )
            raise forms.ValidationError(
                _("Use an address in your organization's domains: %(domains)s.")
                % {"domains": ", ".join(domains)}
            )
        return email

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("enabled") and not cleaned.get("email"):
            self.add_error("email", _("Give the address to send notifications to."))
        return cleaned
