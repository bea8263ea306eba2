from django import forms


class ProtectedFileInput(forms.ClearableFileInput):
    """A file input that names the stored file without linking to it (protected files have no
    URL), for the admin's version forms."""

    template_name = "cms/widgets/protected_file_input.html"

    def is_initial(self, value):
        return bool(value and getattr(value, "name", None))
