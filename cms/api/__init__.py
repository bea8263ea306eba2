"""Conventions every router of the headless API shares, the core's and the plugins': who may call
(token, session or nobody), strict query parameters, the answer's language, and HTTP caching."""
