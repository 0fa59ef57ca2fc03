"""One strict way to read a JSON request body, for every API call.

The order of checks is the order of a refusal's status:

1. ``Content-Type`` is ``application/json`` (415 otherwise): a body sent as form or plain text is
   never guessed at.
2. At most ``MAX_BYTES`` (413).
3. Valid UTF-8, valid JSON, no ``NaN``/``Infinity``, no key given twice in one object, no
   string that cannot be stored (a lone surrogate escape), at most ``MAX_DEPTH`` levels of
   nesting (400 ``malformed``, with a sentence saying which of these failed).
4. The operation's schema, taken from the OpenAPI document served at /api/v1/openapi.json, so
   the limits a client reads there are the limits applied here, from the same declaration
   (400 ``invalid``, naming the field in ``detail.field``). Types are strict: a string is never
   a number.

Numbers with a fraction are read as ``Decimal`` (exact, never a binary float); callers that
keep decimals as written (the rounds) get them back as their text.

Parsing is pure (``parse``); ``validate`` needs only a schema; ``read`` ties them to Flask's
request for the blueprints, and the ballot lane calls ``parse`` and ``validate`` on its own
WSGI environ.
"""

from __future__ import annotations

import json
from decimal import Decimal

import jsonschema_rs
from flask_babel import lazy_gettext as _l

from kiosk.errors import FIELD_WORDS, VALUE_WORDS, Refusal
from kiosk.web.i18n import current

MAX_BYTES = 1024 * 1024  # a round file of 5,000 candidates is about 1 MiB
MAX_DEPTH = 16  # the deepest valid body (a round file) nests 6 levels
JSON_TYPES = ("application/json",)


class _Duplicate(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


class _Constant(ValueError):
    pass


def _pairs(pairs: list[tuple[str, object]]) -> dict:
    seen: dict = {}
    for key, value in pairs:
        if key in seen:
            raise _Duplicate(key)
        seen[key] = value
    return seen


def _constant(name: str) -> object:
    raise _Constant(name)


def malformed(reason) -> Refusal:
    return Refusal(400, "malformed", "malformed_because", reason=reason)


def is_json(content_type: str | None) -> bool:
    mimetype = (content_type or "").split(";", 1)[0].strip().lower()
    return mimetype in JSON_TYPES


def as_text(raw: bytes, content_type: str | None) -> str:
    """Steps 1 to 3 short of reading the JSON: for a document that reads its JSON itself, with
    lines named (a round file)."""
    if not is_json(content_type):
        raise Refusal(415, "unsupported_media_type")
    if len(raw) > MAX_BYTES:
        raise Refusal(413, "too_large", limit=MAX_BYTES)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise malformed(_l("it is not valid UTF-8 text")) from None


def parse(raw: bytes, content_type: str | None, *, optional: bool = False) -> object:
    """The JSON value of a request body, or a Refusal saying what is wrong with it."""
    if optional and not raw.strip():
        return {}
    text = as_text(raw, content_type)
    if not text.strip():
        raise malformed(_l("it is empty"))
    try:
        value = json.loads(text, object_pairs_hook=_pairs, parse_float=Decimal,
                           parse_constant=_constant)
    except _Duplicate as exc:
        raise Refusal(400, "invalid", "field", field=exc.key, problem=_l("is given twice")) from None
    except _Constant:
        raise malformed(_l("NaN and Infinity are not numbers in JSON")) from None
    except RecursionError:
        raise malformed(_l("it is nested more than %(n)s levels deep", n=MAX_DEPTH)) from None
    except ValueError:
        raise malformed(_l("it is not valid JSON")) from None
    _check_shape(value)
    return value


def parse_object(raw: bytes, content_type: str | None, *, optional: bool = False) -> dict:
    """``parse``, and the value must be a JSON object, as every API body is."""
    value = parse(raw, content_type, optional=optional)
    if not isinstance(value, dict):
        raise malformed(_l("it must be a JSON object {…}"))
    return value


def _check_shape(value: object) -> None:
    """Depth and storable text, without recursion (a body may be deep on purpose)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = [*item.keys(), *item.values()]
        elif isinstance(item, list):
            children = item
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise malformed(_l("it contains a character escape that is not a character")) from None
            continue
        else:
            continue
        if depth > MAX_DEPTH:
            raise malformed(_l("it is nested more than %(n)s levels deep", n=MAX_DEPTH))
        stack.extend((child, depth + 1) for child in children)


# --- the schema ---------------------------------------------------------------------------------

TYPE_WORDS = {
    "integer": _l("a whole number"),
    "number": _l("a number"),
    "string": _l("text"),
    "boolean": _l("true or false"),
    "array": _l("a list"),
    "object": _l("an object"),
    "null": _l("null"),
}


class _Joined:
    """Words joined when shown, so each is translated in the language of the request that shows
    them (the ballot lane builds refusals before it has a request context)."""

    def __init__(self, words: list):
        self.words = words

    def __str__(self) -> str:
        return " / ".join(str(w) for w in self.words)


class _Choices:
    """The values a field may take: in English as the API writes them ("standing_committee"), in
    Chinese in words (常委会差额票决), the words of kiosk.errors.VALUE_WORDS; decided when shown."""

    def __init__(self, options: list):
        self.options = options

    def __str__(self) -> str:
        words = {o: VALUE_WORDS.get(o) or FIELD_WORDS.get(o) for o in self.options if o is not None}
        if current() == "en" or not all(words.values()):
            return ", ".join(json.dumps(o, ensure_ascii=False) for o in self.options)
        return str(_l(", ")).join(f"“{w}”" for w in words.values())


def _field(path: list) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _problem(error) -> tuple[str, object]:
    """The field (dotted path) and what is wrong with it, as a translatable sentence fragment."""
    kind = error.kind
    path = list(error.instance_path)
    name = type(kind).__name__
    if name == "Required":
        return _field([*path, kind.property]), _l("is required")
    field = _field(path) or "(body)"
    if name == "Type":
        return field, _l("must be %(type)s", type=_Joined([TYPE_WORDS.get(t, t) for t in kind.types]))
    if name in ("Minimum", "ExclusiveMinimum"):
        return field, _l("must be at least %(limit)s", limit=_number(kind.limit, name == "ExclusiveMinimum", +1))
    if name in ("Maximum", "ExclusiveMaximum"):
        return field, _l("must be at most %(limit)s", limit=_number(kind.limit, name == "ExclusiveMaximum", -1))
    if name == "MinLength":
        return field, _l("must have at least %(limit)s characters", limit=kind.limit)
    if name == "MaxLength":
        return field, _l("must have at most %(limit)s characters", limit=kind.limit)
    if name == "MinItems":
        return field, _l("must list at least %(limit)s items", limit=kind.limit)
    if name == "MaxItems":
        return field, _l("must list at most %(limit)s items", limit=kind.limit)
    if name == "MinProperties":
        return field, _l("must give at least %(limit)s fields", limit=kind.limit)
    if name in ("Enum", "Constant"):
        options = kind.options if name == "Enum" else [kind.expected_value]
        return field, _l("must be one of: %(choices)s", choices=_Choices(options))
    if name == "Pattern":
        return field, _l("contains characters that are not allowed here")
    if name == "UniqueItems":
        return field, _l("lists the same item twice")
    if name == "AdditionalProperties":
        return _field([*path, kind.unexpected[0]]), _l("is not a field this call takes")
    if name in ("OneOfNotValid", "AnyOf", "OneOfMultipleValid"):
        return field, _l("is not in a form this call accepts (see the API document)")
    if name == "PropertyNames":
        return field, _l("has a field name this call does not take")
    if name == "Format":
        return field, _l("must be in the form %(format)s", format=_FORMATS.get(kind.format, kind.format))
    return field, _l("is not valid here")


_FORMATS = {"date": "YYYY-MM-DD"}


def _number(limit, exclusive: bool, step: int):
    if exclusive and isinstance(limit, int):
        return limit + step
    return limit


class Schema:
    """A request schema compiled once (at start, not per request): ``check`` refuses a value that
    does not fit, naming the first field that does not.

    ``components`` is the OpenAPI document's components object, for ``$ref``s into it. A key the
    call does not take is named first (most often a typing error); where a value may take one of
    several forms, the error of the form that fits its type is named, not just the value."""

    def __init__(self, schema: dict, components: dict | None = None):
        self.root = {**schema, "components": components} if components else schema
        self._validator = _compile(self.root)

    def check(self, value: object) -> None:
        if self._validator.is_valid(value):  # the ballot's path: one pass in Rust, nothing built
            return
        root = self.root
        errors = sorted(self._validator.iter_errors(value),
                        key=lambda e: type(e.kind).__name__ != "AdditionalProperties")
        error = errors[0]
        field, problem = _problem(error)
        if type(error.kind).__name__ in ("OneOfNotValid", "AnyOf"):
            field, problem = _branch_problem(root, error, value) or (field, problem)
        elif type(error.kind).__name__ == "PropertyNames":
            field, problem = _bad_key(root, error, value) or (field, problem)
        elif type(error.kind).__name__ == "MinProperties":
            node = _at(root, list(error.schema_path)[:-1])
            names = list(node.get("properties", {}))
            if names:
                field, problem = names[0], _l("give at least one of: %(fields)s", fields=", ".join(names))
        raise Refusal(400, "invalid", "field", field=str(field), problem=problem)


def _compile(root: dict):
    return jsonschema_rs.validator_for(root, validate_formats=True)


def validate(value: object, schema: dict, components: dict | None = None) -> None:
    """``Schema(schema, components).check(value)``, for a schema checked once (tests, tools)."""
    Schema(schema, components).check(value)


def _at(node: object, path: list) -> object:
    for part in path:
        node = node[part]  # type: ignore[index]
    return node


def _deref(root: dict, node: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node and node["$ref"].startswith("#/"):
        node = _at(root, node["$ref"][2:].split("/"))
    return node


_PY_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def _fits_type(schema: dict, value: object) -> bool:
    wanted = schema.get("type")
    if wanted is None:
        return False
    for name in wanted if isinstance(wanted, list) else [wanted]:
        if name in ("integer", "number"):
            if isinstance(value, (int, Decimal, float)) and not isinstance(value, bool):
                return True
        elif isinstance(value, _PY_TYPES.get(name, ())):
            return True
    return False


def _branch_problem(root: dict, error, value: object):
    """Of oneOf's branches, the one of the value's type, validated on its own."""
    node = _at(root, list(error.schema_path))
    instance = _at(value, list(error.instance_path))
    for branch in node if isinstance(node, list) else []:
        branch = _deref(root, branch)
        if _fits_type(branch, instance):
            sub = _compile({**branch, "components": root.get("components", {})})  # on a refusal only
            for inner in sub.iter_errors(instance):
                field, problem = _problem(inner)
                prefix = _field(list(error.instance_path))
                inner_path = _field(list(inner.instance_path))
                if type(inner.kind).__name__ == "Required":
                    inner_path = _field([*inner.instance_path, inner.kind.property])
                joined = ".".join(p for p in (prefix, inner_path) if p).replace(".[", "[")
                return joined or field, problem
    return None


def _bad_key(root: dict, error, value: object):
    names = _at(root, list(error.schema_path))
    instance = _at(value, list(error.instance_path))
    allowed = names if isinstance(names, list) else names.get("enum") if isinstance(names, dict) else None
    if not isinstance(instance, dict) or not allowed:
        return None
    for key in instance:
        if key not in allowed:
            return (_field([*error.instance_path, key]),
                    _l("is not a field this call takes (one of: %(choices)s)", choices=", ".join(allowed)))
    return None


def as_written(value: object) -> object:
    """Decimals back to the text they were written as (for callers that keep figures exact)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: as_written(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_written(v) for v in value]
    return value


def as_float(value: object) -> object:
    """Decimals as floats, as Flask's own JSON reader gave them (for callers that never kept text)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: as_float(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_float(v) for v in value]
    return value
