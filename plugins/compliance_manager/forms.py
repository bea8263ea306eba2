from django import forms
from django.utils.translation import gettext_lazy as _

from cms.i18n import default_locale
from cms.models import Service

from .models import ActionItem, ImplementationStatus, Role, Template, TestingStatus
from .models.points import DEFAULT_POINTS, MAX_POINTS, kind_label


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


#: The assignee of a bulk change that takes the items' assignee away.
NOBODY = "none"


class AssigneeChoiceField(forms.ModelChoiceField):
    """A member, or ``NOBODY``; left empty it is no choice at all (so a form submitted with the
    Enter key, which presses its first button, assigns nothing)."""

    def to_python(self, value):
        return NOBODY if value == NOBODY else super().to_python(value)

    def validate(self, value):
        if value != NOBODY:
            super().validate(value)


class BulkChangeForm(forms.Form):
    """One change for many action items: the button pressed (``apply``) names the field, and
    only that field's value is applied. Assigning to nobody, or an empty due date, clears it."""

    apply = forms.ChoiceField(
        choices=[
            ("assignee", _("Assign")),
            ("due_date", _("Set due date")),
            ("implementation_status", _("Set implementation status")),
            ("testing_status", _("Set testing status")),
        ]
    )
    assignee = AssigneeChoiceField(label=_("Assign to"), queryset=None, required=False)
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    implementation_status = forms.ChoiceField(
        label=_("Implementation status"), choices=ImplementationStatus.choices, required=False
    )
    testing_status = forms.ChoiceField(
        label=_("Testing status"), choices=TestingStatus.choices, required=False
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = members

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("apply")
        if name in ("implementation_status", "testing_status") and not cleaned.get(name):
            self.add_error(name, _("Choose the status to set."))
        if name == "assignee" and not cleaned.get(name) and name not in self.errors:
            self.add_error(name, _("Choose a member, or nobody to take the assignment away."))
        return cleaned

    def changes(self) -> dict:
        name = self.cleaned_data["apply"]
        value = self.cleaned_data[name]
        return {name: None if value == NOBODY else value}


class PointsTableForm(forms.Form):
    """The points of each kind of improvement action, one field per (type, enforcement)."""

    def __init__(self, *args, table: dict[tuple[str, str], int], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in DEFAULT_POINTS:
            self.fields[self.field_name(kind)] = forms.IntegerField(
                label=kind_label(*kind),
                min_value=0,
                max_value=MAX_POINTS,
                initial=table[kind],
                help_text=_("Default: %(points)d") % {"points": DEFAULT_POINTS[kind]},
            )

    @staticmethod
    def field_name(kind: tuple[str, str]) -> str:
        return "_".join(kind)

    def points(self) -> dict[tuple[str, str], int]:
        return {kind: self.cleaned_data[self.field_name(kind)] for kind in DEFAULT_POINTS}


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
