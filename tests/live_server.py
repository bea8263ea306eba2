"""Serving the seeded test database over HTTP from a thread, for tests that need a real server
(the browser journeys, schemathesis, concurrent writers).

pytest-django's ``live_server`` would make the test transactional and flush the database
afterwards, wiping the demo content the rest of the suite reads; this server shares the test
database instead (the same connection when it is SQLite in memory).

On a SQLite file, the server's threads have connections of their own and begin their
transactions IMMEDIATE, as deployed (sites/settings/base.py). The test's own thread must not:
pytest-django wraps each test in a transaction, and an IMMEDIATE one would hold the write lock
for the whole test, so that every write of the server waited for it, then failed. While the
server runs, the test thread's transactions begin DEFERRED: they take the lock only if the
test itself writes.
"""

import threading
from contextlib import contextmanager


@contextmanager
def serving_test_database():
    """Yield the base URL of a server over the test database; call with the database unblocked."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.db import connections
    from django.test.testcases import LiveServerThread

    shared = {}
    for connection in connections.all():
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            connection.inc_thread_sharing()
            shared[connection.alias] = connection
    server = LiveServerThread("localhost", StaticFilesHandler, connections_override=shared, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    try:
        if server.error:
            raise server.error
        with deferred_in_this_thread():
            yield f"http://localhost:{server.port}"
    finally:
        server.terminate()
        for connection in shared.values():
            connection.dec_thread_sharing()


@contextmanager
def deferred_in_this_thread():
    """SQLite transactions of this thread's connections begin DEFERRED, also after a
    reconnection (the backend reads the mode from the settings on each)."""
    from django.db import connections
    from django.db.backends.signals import connection_created

    this_thread = threading.get_ident()
    restore = {}

    def defer(connection):
        if connection.vendor == "sqlite":
            # Unset until the connection first connects.
            restore.setdefault(connection.alias, getattr(connection, "transaction_mode", None))
            connection.transaction_mode = None

    def on_connect(sender, connection, **kwargs):
        if threading.get_ident() == this_thread:
            defer(connection)

    for connection in connections.all():
        defer(connection)
    connection_created.connect(on_connect, weak=False)
    try:
        yield
    finally:
        connection_created.disconnect(on_connect)
        for alias, mode in restore.items():
            connections[alias].transaction_mode = mode
