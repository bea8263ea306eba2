"""Mounted at /oidc/ by sites/urls.py; the names are the ones mozilla-django-oidc reverses."""

from django.urls import path

from . import views

urlpatterns = [
    path("authenticate/", views.AuthenticateView.as_view(), name="oidc_authentication_init"),
    path("callback/", views.CallbackView.as_view(), name="oidc_authentication_callback"),
    path("logout/", views.LogoutView.as_view(), name="oidc_logout"),
]
