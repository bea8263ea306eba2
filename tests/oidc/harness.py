"""Runs tests/oidc/provider.mjs for the sign-in tests and plays the browser at the provider.

No browser: the user agent is a ``requests`` session that follows the provider's redirects and
submits its sign-in form; the relying party's side is driven by Django's test client, in the
test's own transaction (a live server thread would write outside it on PostgreSQL).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

HERE = Path(__file__).resolve().parent
PASSWORD = "test-password"
CLIENT_ID = "trust-portal"
CLIENT_SECRET = "test-client-secret-" + "s" * 24
KEY_ID = "test-provider-key"


def ensure_node_modules() -> None:
    """Install the provider's pinned packages (package-lock.json) when they are missing."""
    if (HERE / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed for the OpenID Connect tests (Node 20 or later)")
    subprocess.run([npm, "ci", "--prefix", str(HERE), "--no-audit", "--no-fund"], check=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Provider:
    issuer: str
    config: dict  # its /.well-known/openid-configuration
    private_key: rsa.RSAPrivateKey  # the key it signs ID tokens with, to forge with
    accounts_file: Path  # its users and their claims, read at every sign-in

    def set_claims(self, login: str, claims: dict) -> None:
        """What the provider's directory says of ``login`` from now on (as an IT department
        moving an address to another domain or removing a group would)."""
        accounts = json.loads(self.accounts_file.read_text())
        accounts[login] = claims
        self.accounts_file.write_text(json.dumps(accounts))

    @contextmanager
    def directory_restored(self):
        """Undo every ``set_claims`` made inside, for the next test."""
        saved = self.accounts_file.read_text()
        try:
            yield self
        finally:
            self.accounts_file.write_text(saved)

    def sign(self, claims: dict, headers: dict | None = None) -> str:
        return jwt.encode(
            claims, self.private_key, algorithm="RS256", headers={"kid": KEY_ID, **(headers or {})}
        )


@contextmanager
def running_provider(tmp_dir: Path, *, accounts: dict, redirect_uri: str, after_logout: str):
    ensure_node_modules()
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(private_key, as_dict=True)
    jwk.pop("key_ops", None)  # PyJWT says "sign" only; the provider also verifies with it
    jwks_file = tmp_dir / "jwks.json"
    jwks_file.write_text(
        json.dumps({"keys": [{**jwk, "kid": KEY_ID, "alg": "RS256", "use": "sig"}]})
    )
    accounts_file = tmp_dir / "accounts.json"
    accounts_file.write_text(json.dumps(accounts))
    port = free_port()
    env = {
        **os.environ,
        "OIDC_REDIRECT_URI": redirect_uri,
        "OIDC_POST_LOGOUT_REDIRECT_URI": after_logout,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_JWKS_FILE": str(jwks_file),
        "OIDC_ACCOUNTS_FILE": str(accounts_file),
        "OIDC_PASSWORD": PASSWORD,
    }
    log = (tmp_dir / "provider.log").open("w")
    process = subprocess.Popen(
        ["node", str(HERE / "provider.mjs"), str(port)], env=env, stdout=log, stderr=log
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        config = _wait_for_discovery(issuer, process, tmp_dir / "provider.log")
        yield Provider(
            issuer=issuer, config=config, private_key=private_key, accounts_file=accounts_file
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_for_discovery(issuer: str, process, log_path: Path, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the test provider exited:\n{log_path.read_text()}")
        try:
            response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2)
            if response.ok:
                return response.json()
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the test provider did not start:\n{log_path.read_text()}")


class ProviderBrowser:
    """The user's browser on the provider's side: cookies, redirects and the sign-in form."""

    def __init__(self, relying_party: str):
        self.relying_party = relying_party  # where the provider's answers go back to
        self.session = requests.Session()
        self.asked_to_sign_in = False

    def authorize(self, url: str, login: str | None, password: str = PASSWORD) -> str:
        """Follow ``url`` at the provider until it redirects back; return that callback URL."""
        self.asked_to_sign_in = False
        for _hop in range(10):
            response = self.session.get(url, allow_redirects=False, timeout=10)
            if "/interaction/" in response.url and response.status_code == 200:
                self.asked_to_sign_in = True
                if login is None:
                    raise AssertionError("the provider asked to sign in again")
                response = self.session.post(
                    response.url,
                    data={"login": login, "password": password},
                    allow_redirects=False,
                    timeout=10,
                )
            assert response.status_code in (302, 303), (response.status_code, response.text)
            url = urljoin(response.url, response.headers["Location"])
            if url.startswith(self.relying_party):
                return url
        raise AssertionError("the provider never redirected back")


class TamperingTokenEndpoint:
    """Stands between the relying party and the provider's token endpoint.

    Forwards the real token request, then lets the test replace the ID token: forged tokens
    are then checked against a flow that is genuine in every other respect (state, code, PKCE).
    """

    def __init__(self, token_endpoint: str):
        self.token_endpoint = token_endpoint
        self.forge = None  # callable(header, claims) -> str, set by the test
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                real = requests.post(
                    owner.token_endpoint,
                    data=body,
                    headers={"Content-Type": self.headers["Content-Type"]},
                    timeout=10,
                )
                answer = real.json()
                if real.ok and owner.forge is not None:
                    token = answer["id_token"]
                    header = jwt.get_unverified_header(token)
                    claims = jwt.decode(token, options={"verify_signature": False})
                    answer["id_token"] = owner.forge(header, claims)
                data = json.dumps(answer).encode()
                self.send_response(real.status_code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # keep the test output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/token"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.server.shutdown()
        self.server.server_close()
