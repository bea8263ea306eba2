"""Viewer analytics for staff, computed from the audit log (``cms.audit``) by the database.

``reports`` holds the aggregates, ``charts`` turns a series into SVG geometry, ``views`` the admin
page and its CSV exports (``audit.view_auditentry`` required, as for the log itself).
"""
