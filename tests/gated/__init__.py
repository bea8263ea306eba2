"""Gated documents cannot go live without review (issue 17 §2): an editor cannot publish,
schedule, revert-and-publish or copy-and-publish an NDA or restricted series or version, nor
make a live public series gated (or a live gated one public), through any path the admin has;
a Moderator (and a superuser) can. Public material an editor publishes still goes live at
once, and only what waits for a review is mailed to the reviewers.

Every refusal is decided by ``cms.review.may_publish``, asked through the models' permission
policy; here each path is used as a user would, over HTTP, and what went live is read back.

- ``test_admin_forms``: create, schedule, edit, access level, revert, copy, bulk actions;
- ``test_actions_and_mail``: Wagtail's snippet actions (the API) and who is mailed.
"""
