"""The account page where a signed-in user makes, sees and revokes their personal API tokens
(``cms.accounts.personal_tokens``). The token is in the answer to the form that made it and in
no other page; answers are never cached."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from cms.accounts import personal_tokens


def _lifetime_label(days: int) -> str:
    if days == 365:
        return _("1 year")
    return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=personal_tokens.NAME_MAX_LENGTH,
        help_text=gettext_lazy("What the token is for, e.g. the script that uses it."),
    )
    lifetime = forms.TypedChoiceField(label=gettext_lazy("Expires after"), coerce=int)
    # Sent twice (a double click, a reload), the form makes one token.
    submission = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lifetime"].choices = [
            (days, _lifetime_label(days)) for days in personal_tokens.lifetimes_days()
        ]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name.isprintable():
            raise forms.ValidationError(_("A name is one line of printable characters."))
        return name


def _new_form() -> TokenForm:
    lifetimes = personal_tokens.lifetimes_days()
    default = personal_tokens.DEFAULT_LIFETIME_DAYS
    return TokenForm(
        initial={
            "submission": personal_tokens.new_submission(),
            "lifetime": default if default in lifetimes else lifetimes[-1],
        }
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    made, status = None, 200
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                made = personal_tokens.create(
                    request,
                    name=form.cleaned_data["name"],
                    days=form.cleaned_data["lifetime"],
                    submission=form.cleaned_data["submission"],
                )
            except personal_tokens.TooManyTokens:
                form.add_error(None, _limit_message())
                status = 400
            else:
                form = _new_form()
        else:
            status = 400
    else:
        form = _new_form()
    now = timezone.now()
    tokens = [
        (token, token.personal.expires_at <= now if hasattr(token, "personal") else False)
        for token in personal_tokens.tokens_of(request.user)
    ]
    working = sum(1 for _token, expired in tokens if not expired)
    context = {
        "form": form,
        "made": made,
        "tokens": tokens,
        "at_limit": working >= personal_tokens.max_tokens(),
        "limit_message": _limit_message(),
    }
    return render(request, "portal/api_tokens.html", context, status=status)


def _limit_message() -> str:
    count = personal_tokens.max_tokens()
    return ngettext(
        "You have %(count)d working token, the most you may have: revoke it to make another.",
        "You have %(count)d working tokens, the most you may have: revoke one to make another.",
        count,
    ) % {"count": count}


@login_required
@require_POST
def revoke_api_token(request, pk: int):
    revoked = personal_tokens.revoke(request, pk)
    if revoked is None:
        raise Http404(_("You have no such token."))
    if revoked:
        messages.success(request, _("The token was revoked: requests with it are refused."))
    else:
        messages.info(request, _("That token was revoked already."))
    return redirect("portal:api_tokens")
