from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Feedback


class FeedbackForm(forms.ModelForm):
    # Bots fill every field; people never see this one.
    website = forms.CharField(required=False, label=_("Leave this empty"))
    # Not the model field's validation: an over-long page address is cut, never an error the
    # reader could not fix (the field is hidden).
    page_url = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Feedback
        fields = ["kind", "comment", "contact_email", "page_url"]
        widgets = {
            "kind": forms.RadioSelect,
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
        max_length = Feedback._meta.get_field("page_url").max_length
        if not value.startswith("/") or value.startswith("//") or "\\" in value:
            return ""
        return value[:max_length]

    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))
