"""Who gets in: the one access policy (``policy``: who may see a document's metadata, who may
download its files), access-request decisions (``requests``) and rate limits (``ratelimit``).
Plugins add to the policy through ``cms.plugins.access.AccessRule``."""
