from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Feedback


class FeedbackForm(forms.ModelForm):
    # Bots fill every field; people never see this one.
    website = forms.CharField(required=False, label=_("Leave this empty"))

    class Meta:
        model = Feedback
        fields = ["kind", "comment", "contact_email", "page_url"]
        widgets = {
            "kind": forms.RadioSelect,
            "page_url": forms.HiddenInput,
            "comment": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, max_comment_length: int = 4000, **kwargs):
        super().__init__(*args, **kwargs)
        # A radio list needs no "---------" blank choice: the field is required anyway.
        self.fields["kind"].choices = Feedback.Kind.choices
        self.fields["comment"].max_length = max_comment_length
        self.fields["comment"].widget.attrs["maxlength"] = max_comment_length
        self.fields["comment"].validators.append(
            forms.fields.validators.MaxLengthValidator(max_comment_length)
        )

    def clean_page_url(self):
        # Only a path on this site is kept, never an arbitrary URL.
        value = self.cleaned_data.get("page_url", "")
        return value if value.startswith("/") and not value.startswith("//") else ""

    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))
