"""Verifying the ID token the way OpenID Connect Core 3.1.3.7 asks.

mozilla-django-oidc checks the signature and the nonce only, looks keys up in ways that crash on
a token without ``kid``, and lets PyJWT's expiry error escape as a 500. Everything is checked
here instead, and every failure becomes a ``SignInError``.
"""

from __future__ import annotations

import hmac

import jwt
import requests

from .errors import UNAVAILABLE, UNTRUSTED, SignInError

LEEWAY_SECONDS = 60  # clock skew between us and the provider


def _signing_key(token_header: dict, jwks_url: str, algorithm: str, http: dict) -> jwt.PyJWK:
    try:
        response = requests.get(jwks_url, **http)
        response.raise_for_status()
        keys = response.json().get("keys", [])
    except (requests.RequestException, ValueError, AttributeError) as error:
        raise SignInError("jwks-unavailable", UNAVAILABLE) from error
    kid = token_header.get("kid")
    candidates = [
        key
        for key in keys
        if key.get("use", "sig") == "sig"
        and key.get("alg", algorithm) == algorithm
        and (kid is None or key.get("kid") == kid)
    ]
    # Without a kid the token may only be checked against the provider's one signing key.
    if len(candidates) != 1:
        raise SignInError("token-key-unknown", UNTRUSTED)
    try:
        return jwt.PyJWK(candidates[0], algorithm=algorithm)
    except jwt.PyJWKError as error:
        raise SignInError("token-key-unknown", UNTRUSTED) from error


def verify_id_token(
    token, *, jwks_url: str, issuer: str, client_id: str, nonce: str, algorithm: str, http: dict
) -> dict:
    """The ID token's claims, once signature, algorithm, iss, aud, azp, exp and nonce hold.

    ``http`` holds the keyword arguments (timeout, verify, proxies) for fetching the JWKS.
    """
    if not isinstance(token, str) or not token:
        raise SignInError("token-missing", UNTRUSTED)
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as error:
        raise SignInError("token-malformed", UNTRUSTED) from error
    # Pinned before any key is looked up: "none" and HS256 (keyed with our own client secret)
    # are the classic forgeries, and the header is the attacker's to choose.
    if header.get("alg") != algorithm:
        raise SignInError("token-algorithm", UNTRUSTED)
    key = _signing_key(header, jwks_url, algorithm, http)
    try:
        claims = jwt.decode(
            token,
            key.key,
            algorithms=[algorithm],
            audience=client_id,
            issuer=issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "sub", "aud", "exp", "iat"]},
        )
    except jwt.ExpiredSignatureError as error:
        raise SignInError("token-expired", UNTRUSTED) from error
    except jwt.InvalidAudienceError as error:
        raise SignInError("token-audience", UNTRUSTED) from error
    except jwt.InvalidIssuerError as error:
        raise SignInError("token-issuer", UNTRUSTED) from error
    except jwt.InvalidSignatureError as error:
        raise SignInError("token-signature", UNTRUSTED) from error
    except jwt.InvalidTokenError as error:
        raise SignInError("token-invalid", UNTRUSTED) from error
    # A token for several audiences must name us as the party it was issued to.
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise SignInError("token-audience", UNTRUSTED)
    if not nonce or not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
        raise SignInError("token-nonce", UNTRUSTED)
    if not isinstance(claims["sub"], str) or not claims["sub"] or len(claims["sub"]) > 255:
        raise SignInError("token-subject", UNTRUSTED)
    return claims
