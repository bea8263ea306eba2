from django import forms
from django.utils.translation import gettext_lazy as _

from cms.i18n import default_locale
from cms.models import Service

from .models import ActionItem, Role, Template


class AssessmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    template = forms.ModelChoiceField(label=_("Template"), queryset=Template.objects.all())
    group = forms.CharField(
        label=_("Group"),
        max_length=200,
        help_text=_("e.g. a product; actions are shared within it"),
    )
    service = forms.ModelChoiceField(
        label=_("Cloud service"), queryset=Service.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["service"].queryset = Service.objects.filter(locale=default_locale())


class ActionItemForm(forms.ModelForm):
    """Only the fields the user's role may change are offered (and accepted)."""

    class Meta:
        model = ActionItem
        fields = [
            "assignee",
            "due_date",
            "implementation_status",
            "implementation_notes",
            "testing_status",
            "testing_notes",
            "automatic_updates",
        ]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, members, allowed_fields, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = members
        for name in list(self.fields):
            if name not in allowed_fields:
                del self.fields[name]


class BulkAssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=None, required=False)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = members


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Evidence file"))


class RoleForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Member"), queryset=None)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = members


class PrivacyForm(forms.Form):
    user = forms.ModelChoiceField(label=_("User"), queryset=None)
    to_user = forms.ModelChoiceField(label=_("Reassign to"), queryset=None, required=False)

    def __init__(self, *args, users, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users
        self.fields["to_user"].queryset = members
