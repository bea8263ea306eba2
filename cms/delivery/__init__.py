"""What goes out to readers: signed download links (``links``), serving a file with its audit
entry and per-viewer watermark (``serving``, ``watermark``), and what failed to go out, listed
for staff on the admin's dashboard (``failures``, ``dashboard``)."""
