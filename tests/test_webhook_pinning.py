"""Webhooks connect to the address that was checked, never to a second DNS answer (rebinding),
and still speak to the endpoint by its name: ``Host`` header, TLS SNI and certificate checked
against it. A resolver stub answers differently after the first lookup; an HTTPS receiver on
this machine with a certificate from a test CA records what it was sent."""

from __future__ import annotations

import datetime
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from plugins.notifications.models import WebhookDelivery, WebhookEndpoint
from plugins.notifications.webhooks import deliver
from tests import factories

NAME = "hooks.customer.test"
PUBLIC = "93.184.216.34"  # a public address this test never really reaches
INTERNAL = "10.255.255.1"


def _certificate(subject: str, issuer_name: str, public_key, signing_key, is_ca: bool):
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)]))
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
    )
    if not is_ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(subject)]), critical=False
        )
    return builder.sign(signing_key, hashes.SHA256())


def tls_files(folder, served_name: str) -> tuple[str, str, str]:
    """(CA file, certificate file, key file): a test CA and a certificate it signed for
    ``served_name``."""
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("Webhook test CA", "Webhook test CA", ca_key.public_key(), ca_key, True)
    leaf = _certificate(served_name, "Webhook test CA", key.public_key(), ca_key, False)
    paths = [folder / "ca.pem", folder / "cert.pem", folder / "key.pem"]
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return tuple(str(path) for path in paths)


class HttpsReceiver:
    """Answers 200 to every POST; records the Host headers and the SNI names it was sent."""

    def __init__(self, certificate: str, key: str):
        self.hosts, self.server_names = [], []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                receiver.hosts.append(self.headers["Host"])
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificate, key)
        context.sni_callback = lambda sock, name, ctx: receiver.server_names.append(name)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


class RebindingResolver:
    """DNS whose answer for ``name`` changes after the first lookup; other names resolve."""

    def __init__(self, name: str, first: str, later: str):
        self.name, self.first, self.later = name, first, later
        self.lookups = 0
        self.real = socket.getaddrinfo

    def __call__(self, host, port, *args, **kwargs):
        if host != self.name:
            return self.real(host, port, *args, **kwargs)
        self.lookups += 1
        return self.real(self.first if self.lookups == 1 else self.later, port, *args, **kwargs)


@pytest.fixture
def endpoint_for(users):
    def make(url: str) -> WebhookDelivery:
        endpoint = WebhookEndpoint.objects.create(
            organization=users["customer_org"], url=url, created_by=users["member"]
        )
        document = factories.document("public")
        return WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_id=f"pinning-{document.pk}",
            document=document,
            version=document.versions.get(),
        )

    return make


def plugin_settings(settings, **values):
    settings.TRUSTPORTAL_PLUGIN_SETTINGS = {
        "notifications": {"WEBHOOK_TIMEOUT_SECONDS": 3, **values}
    }


@pytest.mark.django_db
def test_the_post_goes_to_the_checked_address_by_name_with_tls_verified(
    settings, monkeypatch, tmp_path, endpoint_for
):
    ca, certificate, key = tls_files(tmp_path, NAME)
    # The name may resolve to this machine (listed, as a tool on the organization's network
    # would be); it is pinned all the same.
    plugin_settings(settings, WEBHOOK_HTTP_HOSTS=[NAME], WEBHOOK_CA_FILE=ca)
    receiver = HttpsReceiver(certificate, key)
    resolver = RebindingResolver(NAME, "127.0.0.1", INTERNAL)
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    try:
        delivery = endpoint_for(f"https://{NAME}:{receiver.port}/hook")
        assert deliver(delivery.pk) == "delivered"
    finally:
        receiver.close()
    # One lookup: a second one would have answered the internal address.
    assert resolver.lookups == 1
    assert receiver.hosts == [f"{NAME}:{receiver.port}"] and receiver.server_names == [NAME]


@pytest.mark.django_db
def test_a_name_checked_public_is_not_looked_up_again_when_connecting(
    settings, monkeypatch, endpoint_for
):
    from tests.webhook_receiver import Receiver

    plugin_settings(settings)
    local = Receiver()  # what a second, rebound answer would reach (the socket, not TLS)
    port = int(local.url.rsplit(":", 1)[1].split("/")[0])
    resolver = RebindingResolver(NAME, PUBLIC, "127.0.0.1")
    connected_to = []
    real_connect = socket.create_connection

    def create_connection(address, *args, **kwargs):
        connected_to.append(address)
        if address[0] == "127.0.0.1":
            return real_connect(address, *args, **kwargs)
        raise ConnectionRefusedError("no route from the test machine")

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    try:
        delivery = endpoint_for(f"https://{NAME}:{port}/hook")
        assert deliver(delivery.pk) == "retry"
    finally:
        local.close()
    assert connected_to == [(PUBLIC, port)] and local.requests == []
    assert resolver.lookups == 1
    delivery.refresh_from_db()
    assert "no route" in delivery.last_error


@pytest.mark.django_db
def test_a_certificate_for_another_name_is_refused(settings, monkeypatch, tmp_path, endpoint_for):
    ca, certificate, key = tls_files(tmp_path, "other.customer.test")
    plugin_settings(settings, WEBHOOK_HTTP_HOSTS=[NAME], WEBHOOK_CA_FILE=ca)
    receiver = HttpsReceiver(certificate, key)
    monkeypatch.setattr(socket, "getaddrinfo", RebindingResolver(NAME, "127.0.0.1", "127.0.0.1"))
    try:
        delivery = endpoint_for(f"https://{NAME}:{receiver.port}/hook")
        assert deliver(delivery.pk) == "retry"
    finally:
        receiver.close()
    assert receiver.hosts == []
    delivery.refresh_from_db()
    assert "certificate" in delivery.last_error.lower()


@pytest.mark.django_db
def test_plain_http_is_refused_when_sending_unless_the_host_is_listed(settings, endpoint_for):
    plugin_settings(settings)
    delivery = endpoint_for("http://tools.customer.test/hook")  # stored past the form
    assert deliver(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert "not HTTPS" in delivery.last_error
