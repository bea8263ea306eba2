"""PostgreSQL: a GIN index on the title part of each entry's vector (weight A), so that the
documents whose title matches a word are found without reading every entry that matches it
elsewhere (``search.backends.database.TopWindowRanked`` ranks the first of them)."""

from django.db import migrations


def add_title_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS trustsearch_searchentry_title_vector "
            "ON trustsearch_searchentry USING gin (ts_filter(vector, '{a}'))"
        )


def drop_title_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS trustsearch_searchentry_title_vector")


class Migration(migrations.Migration):
    dependencies = [("trustsearch", "0004_entries_keep_files_apart")]

    operations = [migrations.RunPython(add_title_index, drop_title_index)]
