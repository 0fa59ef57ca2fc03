"""The OpenAPI document served at /api/v1/openapi.json (filled in below)."""


def document() -> dict:
    return {"openapi": "3.1.0", "info": {"title": "Ballotroom API", "version": "1"}, "paths": {}}
