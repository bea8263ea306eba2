"""Password reset for readers' portal accounts, on Django's own views.

Whatever address is asked for, the answer is the same page: mail goes only to active accounts
with a usable password (Django's ``PasswordResetForm.get_users``), never to one that signs in
through OpenID Connect. Requests are rate-limited per client address and per e-mail address
(``ratelimit.password_reset_limited``). The link in the mail is built from
``TRUSTPORTAL_BASE_URL``, never from the request's Host header, which the client chooses.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy

from cms.access import ratelimit


def _link_base() -> tuple[str, bool]:
    """The host (with its port) and whether to use HTTPS, for links in the mail."""
    base = urlsplit(settings.TRUSTPORTAL_BASE_URL)
    return base.netloc, base.scheme == "https"


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "portal/password_reset_form.html"
    email_template_name = "portal/email/password_reset.txt"
    subject_template_name = "portal/email/password_reset_subject.txt"
    success_url = reverse_lazy("portal:password_reset_sent")

    def post(self, request, *args, **kwargs):
        # Counted before the form is read: every request may send a mail.
        limited = ratelimit.password_reset_limited(request, request.POST.get("email", ""))
        if limited:
            return ratelimit.too_many_requests(request, limited)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form):
        # Django's view would take the domain from the request; the configured one is passed
        # instead, and no request, so that nothing of the Host header reaches the mail.
        domain, use_https = _link_base()
        form.save(
            domain_override=domain,
            use_https=use_https,
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            extra_email_context={"hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)},
        )
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "portal/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's view keeps the token out of the page's URL (it redirects to ``set-password``
    with the token in the session), so no Referer carries it away. Saving the new password
    changes the session hash and so ends every session of the account."""

    template_name = "portal/password_reset_confirm.html"
    success_url = reverse_lazy("portal:password_reset_complete")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        # Deactivated after the mail went out: the link no longer works.
        return user if user is not None and user.is_active else None

    def render_to_response(self, context, **response_kwargs):
        if not self.validlink:
            response_kwargs["status"] = 400
        return super().render_to_response(context, **response_kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        # The owner has just shown they hold the mailbox: failed sign-ins (perhaps someone
        # else's guesses) must not keep them out with their new password.
        ratelimit.forget_failed_sign_ins(form.user.get_username())
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "portal/password_reset_complete.html"
