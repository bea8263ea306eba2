from django.contrib.auth import views as auth_views

from cms.access import ratelimit


class SignInView(auth_views.LoginView):
    """Local sign-in. Failed attempts lock the account name and the client address for a while
    (``ratelimit.sign_in_locked``); successful ones cost nothing and clear the account's."""

    template_name = "portal/login.html"
    redirect_authenticated_user = True

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
