from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from cms.access import ratelimit

from .composing import UNSUBSCRIBE_SALT
from .confirmation import read_confirmation_token, send_confirmation
from .forms import NotificationSettingsForm
from .models import NotificationSettings, new_feed_token


@login_required
def settings_page(request):
    preferences, _created = NotificationSettings.objects.get_or_create(user=request.user)
    form = NotificationSettingsForm(request.POST or None, instance=preferences, user=request.user)
    if request.method == "POST" and form.is_valid():
        preferences = form.save(commit=False)
        preferences.language = get_language() or preferences.language
        email = form.cleaned_data["email"]
        if email and email != preferences.email:
            # Each new address mails a confirmation: a flood of them is refused.
            if ratelimit.exceeded("confirmation_mail", ratelimit.requester(request)):
                return ratelimit.too_many_requests(request, "confirmation_mail")
            preferences.pending_email = email
            send_confirmation(request.user, email, preferences.language)
            messages.info(
                request,
                _("We sent a link to %(email)s: notifications go there once you confirm it.")
                % {"email": email},
            )
        elif not email:
            preferences.email = preferences.pending_email = ""
        preferences.save()
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:settings")
    feed_url = request.build_absolute_uri(
        reverse("notifications:feed", args=[preferences.feed_token])
    )
    return render(
        request,
        "notifications/settings.html",
        {"form": form, "preferences": preferences, "feed_url": feed_url},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def new_feed_address(request):
    """Revoke the feed's secret URL (shared too widely, or leaked): a new one replaces it and
    the old one answers 404 from now on."""
    preferences, _created = NotificationSettings.objects.get_or_create(user=request.user)
    preferences.feed_token = new_feed_token()
    preferences.save(update_fields=["feed_token"])
    messages.success(request, _("Your feed has a new address; the old one no longer works."))
    return redirect(reverse("notifications:settings") + "#feed")


def confirm(request, token):
    """GET shows a button, POST confirms: mail scanners that open links confirm nothing."""
    found = read_confirmation_token(token)
    if found is None:
        return render(request, "notifications/link_problem.html", status=400)
    user_id, email = found
    preferences = NotificationSettings.objects.filter(user_id=user_id).first()
    if preferences is None or preferences.pending_email != email:
        if preferences is not None and preferences.email == email:
            return render(request, "notifications/confirmed.html", {"email": email})
        return render(request, "notifications/link_problem.html", status=400)
    if request.method == "POST":
        NotificationSettings.objects.filter(pk=preferences.pk, pending_email=email).update(
            email=email, pending_email=""
        )
        return render(request, "notifications/confirmed.html", {"email": email})
    return render(request, "notifications/confirm.html", {"email": email})


@csrf_exempt
def unsubscribe(request, token):
    """The link of every e-mail. A POST is RFC 8058's one-click unsubscribe (mail clients send
    it without cookies or CSRF token: the signed token is the authority); GET asks first."""
    try:
        user_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)["u"]
    except (signing.BadSignature, KeyError, TypeError):
        return render(request, "notifications/link_problem.html", status=400)
    preferences = NotificationSettings.objects.filter(user_id=user_id).first()
    if preferences is None:
        raise Http404(_("No such subscription."))
    if request.method == "POST":
        NotificationSettings.objects.filter(pk=preferences.pk).update(enabled=False)
        return render(request, "notifications/unsubscribed.html")
    return render(request, "notifications/unsubscribe.html", {"token": token})
