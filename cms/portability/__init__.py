"""Moving a whole portal between installations (``export_portal`` / ``import_portal``).

The archive is generic over the installed apps: every concrete model is exported with Django's
serializer (primary keys kept, content types, permissions and users referred to by natural
keys, so the target's own content-type ids do not matter), every file of every file field with
its SHA-256, and a manifest of per-model counts and checksums that the import checks against.
Plugins added later are carried along without changes here.
"""
