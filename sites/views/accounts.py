from django.contrib.auth import views as auth_views
from wagtail.admin.views.account import LoginView as WagtailLoginView

from cms.access import ratelimit


class FailedSignInLimit:
    """For a password sign-in view: failed attempts lock the account name and the client
    address for a while (``ratelimit.sign_in_locked``); successful ones cost nothing and clear
    the account's."""

    def post(self, request, *args, **kwargs):
        self.username = request.POST.get("username", "")
        # Asked before the password is checked: a locked account tells nothing, right or wrong.
        locked = ratelimit.sign_in_locked(request, self.username)
        if locked:
            return ratelimit.too_many_requests(request, locked)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        ratelimit.count_failed_sign_in(self.request, self.username)
        return super().form_invalid(form)

    def form_valid(self, form):
        ratelimit.forget_failed_sign_ins(self.username)
        return super().form_valid(form)


class SignInView(FailedSignInLimit, auth_views.LoginView):
    """Local sign-in on the reader site."""

    template_name = "portal/login.html"
    redirect_authenticated_user = True


class AdminSignInView(FailedSignInLimit, WagtailLoginView):
    """Wagtail's admin sign-in, under the same limits: the same accounts (staff included) must
    not be guessable at /admin/login/ while the reader site refuses."""
