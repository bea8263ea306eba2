"""OpenID Connect sign-in: users are matched by the provider's (issuer, sub), never by e-mail."""
