"""Who gets in: the one access policy (``policy``: who may see a document's metadata, who may
download its files), the rules plugins add to it (``rules``), access requests (``requests``) and
rate limits (``ratelimit``).

Nothing is imported here: ``rules`` is part of the plugin contract, which a plugin's AppConfig
imports before the models are loaded.
"""
