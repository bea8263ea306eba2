"""import_portal --replace verifies before it writes and is all or nothing, in an installation
with content: this run's own database and files. Each damaged or tampered archive, with the
signing key and without, is refused in one line, and every table's rows (and PostgreSQL's
sequences) and every stored file are as before, byte for byte. Among the archive's files is one
the storage lacks, so that each refusal that comes after the staging also shows that what was
staged is gone. (A new installation, which needs no --replace: tests/test_portability.py.)"""

from __future__ import annotations

import io
import re
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command

from cms.models import TrustDocument
from tests import factories
from tests.portal_archives import KEY, add_history, differences, snapshot, spoiled_archives

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def portal(module_db, django_db_blocker, tmp_path_factory):
    """The portal with its history, exported signed with ``KEY``, spoiled every way; the file
    of a version added for the export is then removed from the storage."""
    directory = tmp_path_factory.mktemp("tampering")
    key_file = directory / "archive.key"
    key_file.write_bytes(KEY)
    archive = directory / "portal.zip"
    with django_db_blocker.unblock():
        add_history()
        soc2 = TrustDocument.objects.get(slug="soc-2-type-2", locale__language_code="en")
        staged = factories.version(soc2, label="staged").files.get().file
        call_command(
            "export_portal", str(archive), "--signing-key-file", str(key_file),
            stdout=io.StringIO(),
        )  # fmt: skip
        staged.storage.delete(staged.name)
    return SimpleNamespace(
        key_file=key_file, spoiled=spoiled_archives(archive, directory / "spoiled")
    )


@pytest.mark.parametrize("keyed", [True, False], ids=["with the key", "without a key"])
def test_a_bad_archive_changes_nothing_in_an_installation_with_content(portal, keyed):
    key = ["--signing-key-file", str(portal.key_file)] if keyed else []
    before = snapshot()
    tried = 0
    for name, bad in portal.spoiled.items():
        expected = bad.with_key if keyed else bad.without_key
        if expected is None:
            continue  # without the key nothing tells it from the genuine archive
        errors = io.StringIO()
        with pytest.raises(CommandError) as refused:
            call_command(
                "import_portal", str(bad.path), "--replace", *key,
                stdout=io.StringIO(), stderr=errors,
            )  # fmt: skip
        message = str(refused.value)
        assert re.search(expected, message), (name, message)
        assert "\n" not in message and errors.getvalue() == "", (name, message)
        assert message.endswith("The installation is unchanged."), (name, message)
        assert differences(before, snapshot()) == [], name
        tried += 1
    assert tried == (12 if keyed else 9)
