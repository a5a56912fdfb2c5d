"""Tables of cases run on local storage, with a few of them on the S3 server too: a slow backend per case
would multiply the suite's time without testing anything new (the refusal or the pipeline is the same)."""

import pytest


def on_backends(cases, s3_ids: set[str]) -> list:
    """`storage_backend` (indirect) then each case's values: every case on local storage, `s3_ids` on S3 too.

    `cases` are pytest.param objects, or tuples whose first item is the case's id.
    """
    rows = [(c.id, tuple(c.values)) if hasattr(c, "values") else (c[0], tuple(c[1:])) for c in cases]
    unknown = s3_ids - {case_id for case_id, _ in rows}
    assert not unknown, f"no such cases: {unknown}"
    local = [pytest.param("local", *values, id=f"local-{case_id}") for case_id, values in rows]
    s3 = [
        pytest.param("s3", *values, id=f"s3-{case_id}", marks=pytest.mark.s3)
        for case_id, values in rows
        if case_id in s3_ids
    ]
    return local + s3
