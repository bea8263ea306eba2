"""The registration point of the admin's *Organizations* menu.

The menu groups the screens about customer organizations: the organizations and their members
(``cms.accounts.wagtail_hooks``), and whatever other apps manage per organization or member (a
plugin's roles of members, say). Such an app registers its viewset as any other (Wagtail's
``register_admin_viewset`` hook) and sets ``menu_hook = ORGANIZATIONS_MENU_HOOK`` on it: its
entry then joins this menu, not the main one (Wagtail's ``ViewSetGroup.submenu_hook``). The core
knows no app that does; without one, the menu holds the core's two screens.
"""

#: The Wagtail hook name of the Organizations menu's entries.
ORGANIZATIONS_MENU_HOOK = "register_organizations_menu_item"

#: What an Organizations screen listing members (or anything per member) matches a search on:
#: the member's names and address and their organization, by the database (``icontains``), so
#: that every screen of the menu finds the same people on every database.
MEMBER_SEARCH_FIELDS = [
    "user__username",
    "user__email",
    "user__first_name",
    "user__last_name",
    "organization__name",
]
