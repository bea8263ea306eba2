"""The fault suite: the portal under the faults a deployment meets, each test stopping by itself.

- ``test_redis_under_traffic``: gunicorn (two workers), an rqworker with the cron scheduler, an
  SMTP server and a Redis of the test's own; Redis stopped, frozen and restarted empty while
  readers keep asking: every answer 200, every pending e-mail sent exactly once within two sweep
  intervals of Redis answering, nothing restarted by hand.
- ``test_redis_outage``: the caches' fallback, rate limits and ``/readyz`` in this process.
- ``test_database_outage``: PostgreSQL refusing connections under gunicorn: 503 with
  ``Retry-After``, one log line per outage, recovery without a restart.
- ``test_notification_kills``: a worker killed with SIGKILL at each moment of the SMTP dialogue.
- ``test_at_most_once``: twenty identical requests at once (NDA acceptances, access requests, …)
  leave one row and one audit entry, on SQLite and PostgreSQL.
- ``test_sqlite_writers``, ``test_atomic_publishing``: concurrent writers and publishes on the
  embedded SQLite default (no 500, no orphan draft).
- ``test_admin_stale_saves``: two editors saving the same series.
"""
