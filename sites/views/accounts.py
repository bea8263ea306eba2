from django.contrib.auth import views as auth_views

from cms.access import ratelimit


class SignInView(auth_views.LoginView):
    """Local sign-in, rate limited per client address and per user name."""

    template_name = "portal/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "").strip().lower()[:150]
        if ratelimit.exceeded("sign_in", f"ip:{ratelimit.client_ip(request)}", f"user:{username}"):
            return ratelimit.too_many_requests(request, "sign_in")
        return super().post(request, *args, **kwargs)
