"""The SQLite database: schema, migrations, near-duplicates, known URLs, records in and out."""
