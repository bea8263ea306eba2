"""Permission policies shared by admin screens of different layers."""

from wagtail.permission_policies import ModelPermissionPolicy


class LogOnlyPermissionPolicy(ModelPermissionPolicy):
    """A log the portal writes itself (the outbox of core events, the e-mail and webhook
    deliveries): staff who may view or change its model read it, and nobody adds, edits or
    deletes a row by hand, superusers included. An action a log offers of its own (the outbox's
    retry) checks its own permission."""

    def user_has_permission(self, user, action):
        if action != "view":
            return False
        allowed = super().user_has_permission
        return allowed(user, "view") or allowed(user, "change")

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)
