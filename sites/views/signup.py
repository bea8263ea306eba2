from django import forms
from django.contrib.auth import get_user_model, login, password_validation
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from cms.access import ratelimit
from cms.accounts import signup
from cms.models import PortalSettings


class SignUpForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("Work e-mail address"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        User = get_user_model()
        if (
            User.objects.filter(username__iexact=email).exists()
            or User.objects.filter(email__iexact=email).exists()
        ):
            # Same answer as success elsewhere would leak less, but a clear message helps
            # legitimate users more and the address owner is the only one who can verify.
            raise forms.ValidationError(_("An account with this address exists. Sign in instead."))
        return email

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password"):
            user = get_user_model()(
                username=cleaned.get("email", ""), email=cleaned.get("email", "")
            )
            password_validation.validate_password(cleaned["password"], user)
        return cleaned


def _sign_up_enabled(request) -> bool:
    return PortalSettings.load(request_or_site=request).allow_sign_up


@require_http_methods(["GET", "POST"])
def sign_up(request):
    if not _sign_up_enabled(request):
        raise Http404
    form = SignUpForm(request.POST or None)
    if request.method == "POST":
        # Every submission counts: each may send a mail, or tell whether an address has an account.
        if ratelimit.exceeded("sign_up", f"ip:{ratelimit.client_ip(request)}"):
            return ratelimit.too_many_requests(request, "sign_up")
        if form.is_valid():
            user = signup.create_pending_account(
                form.cleaned_data["email"],
                form.cleaned_data["full_name"],
                form.cleaned_data["password"],
            )
            signup.send_verification(user)
            return render(request, "portal/sign_up_sent.html", {"email": user.email})
    return render(
        request, "portal/sign_up.html", {"form": form}, status=400 if form.errors else 200
    )


def verify_email(request, token: str):
    try:
        user = signup.verify(token)
    except signup.VerificationFailed as failure:
        return render(request, "portal/sign_up_failed.html", {"reason": failure.reason}, status=400)
    login(request, user, backend="cms.accounts.backends.PasswordBackend")
    return redirect("/")
