"""Storage: the database (one SQLite file), the one write path, the schema as migrations (``.sql``
files in ``schema/``), the append-only event log, and the instance folder with its settings and
keys.

May import: ``kiosk.errors`` and ``tally``. Never the domain, the stages, documents or the web:
storage knows tables, not what a poll or a page is.
"""
