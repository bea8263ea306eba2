"""Moving a whole portal between installations (``export_portal`` / ``import_portal``).

The archive is generic over the installed apps: every concrete model is exported with Django's
serializer (primary keys kept, content types, permissions and users referred to by natural
keys, so the target's own content-type ids do not matter), every file of every file field, and
a manifest of per-model counts, many-to-many links, and the SHA-256 of ``data.json`` and of
every file, which a key the operator holds may sign (``signing``). Plugins added later are
carried along without changes here.

The import is all or nothing: it checks the whole archive before it writes anything
(``verification``), stages the files in the target storage (``staging``), replaces the rows in
one transaction (``loading``), then moves the files in (``importer`` runs the steps).
"""
