"""Schemathesis hooks of the conformance run (test_schema_conformance.py): seeded objects, form bodies, and
the one rule a schema cannot state — which refusals of a schema-valid request are fair.

Loaded by the schemathesis command through SCHEMATHESIS_HOOKS; the seeded ids come in the environment.
"""

import json
import os

import schemathesis
from hypothesis import strategies as st

# DRF's field-validation codes: a schema-valid request refused with one of these means the schema and
# the serializer disagree (a type, a length, a required field, an enum the schema did not state).
SCHEMA_CODES = frozenset(
    {
        "invalid",
        "required",
        "null",
        "blank",
        "max_length",
        "min_length",
        "max_value",
        "min_value",
        "invalid_choice",
        "not_a_list",
        "not_a_dict",
        "empty",
        "max_digits",
        "max_decimal_places",
        "max_whole_digits",
        "date",
        "datetime",
        "parse_error",
        "incorrect_type",
        "does_not_exist",
        "missing_file",
        "too_many_parts",
        "bad_request",
        "unsupported_media_type",
        "not_acceptable",
    }
)
# Answers to a schema-valid request that need no explanation: success, credentials, a missing or
# conflicting object, a limit (size, quota, rate), something gone on purpose.
FAIR = {401, 403, 404, 409, 410, 413, 429}
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _seeded(name: str) -> int | None:
    value = os.environ.get(f"CONFORMANCE_{name}")
    return int(value) if value else None


@schemathesis.hook
def before_load_schema(context, raw_schema: dict) -> None:
    """Where an operation reads JSON, test it in JSON only: form encodings carry every value as text, so
    they cannot hold the schema's numbers, nulls or empty lists (uploads, multipart only, stay)."""
    for operations in raw_schema.get("paths", {}).values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content") if isinstance(operation, dict) else None
            if content and "application/json" in content:
                for media_type in FORMS:
                    content.pop(media_type, None)


def _target(path: str, method: str, name: str) -> int | None:
    """The seeded object a path parameter should often name: a persona or a file of the seeded user;
    DELETE gets objects of their own, so that the others stay for the rest of the run."""
    deleting = method.upper() == "DELETE"
    if name == "persona_id" or path.startswith("/api/v1/personas/"):
        return _seeded("DOOMED_PERSONA" if deleting else "PERSONA")
    if path.startswith("/upload/files/"):
        return _seeded("DOOMED_FILE" if deleting else "FILE")
    return None


@schemathesis.hook
def flatmap_path_parameters(context, path_parameters: dict):
    """Half the time, the ids of seeded objects instead of random ones (which are nearly always 404)."""
    operation = context.operation
    if not path_parameters or operation is None:
        return st.just(path_parameters)
    # Only where the generated value is itself valid (digits): a negative case must stay negative.
    seeded = {
        name: _target(operation.path, operation.method, name)
        for name, value in path_parameters.items()
        if isinstance(value, str) and value.isascii() and value.isdigit()
    }
    seeded = {name: str(value) for name, value in seeded.items() if value is not None}
    if not seeded:
        return st.just(path_parameters)
    return st.sampled_from([path_parameters, {**path_parameters, **seeded}])


@schemathesis.check
def refusals_name_a_rule_the_schema_cannot_state(ctx, response, case) -> None:
    """A schema-valid request may be refused only for a reason beyond the schema (a weak password, an image
    too small, a duplicate), never for one it could have said (a type, a length, a required field)."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    status = response.status_code
    if status < 400 or status in FAIR or status >= 500:  # 5xx: not_a_server_error's
        return None
    try:
        code = json.loads(response.content).get("code")
    except (ValueError, AttributeError):
        code = None
    if status == 400 and code is not None and code not in SCHEMA_CODES:
        return None
    raise AssertionError(
        f"A schema-valid request was refused with {status} `{code}`: the schema should have "
        f"said why ({response.content[:300]!r})."
    )
