"""Serving the seeded test database over HTTP from a thread, for tests that need a real server
(the browser journeys, schemathesis).

pytest-django's ``live_server`` would make the test transactional and flush the database
afterwards, wiping the demo content the rest of the suite reads; this server shares the test
database instead (the same connection when it is SQLite in memory).
"""

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
        yield f"http://localhost:{server.port}"
    finally:
        server.terminate()
        for connection in shared.values():
            connection.dec_thread_sharing()
