"""The tamper-evident audit log (a separate app so its table and migrations stand alone)."""
