"""Hostile input on the API (issue 18 item 5): schemathesis drives every operation of
/api/v1/openapi.json with generated valid and invalid requests, in process through the WSGI app.

No answer may be a 5xx, and every documented answer must match its schema. The run is bounded
(`EXAMPLES` per operation) so it stays within a minute or two; run it wider by hand with
`SCHEMATHESIS_EXAMPLES=200 pytest tests/test_hostile_api.py`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import time
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from comptoir.api import api
from comptoir.catalog.models import Shop
from comptoir.catalog.services import do_create_offer, do_create_shop, do_set_opening_hours
from comptoir.members.models import Person
from comptoir.members.services import do_add_membership, do_create_api_token

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "12"))
TOKEN: dict[str, str] = {}


@pytest.fixture
def world(db: Any, settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.COMPTOIR_SEARCH_DIR = tmp_path / "search"
    settings.COMPTOIR_HOME = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    owner = Person.objects.create_user("owner@example.org", None, full_name="Camille Roux")
    do_add_membership(owner, "residents")
    shop = do_create_shop(
        owner=owner, ref="boulangerie", name="Boulangerie du Pont", kind="bakery", lat=47.056, lon=6.004,
        status=Shop.Status.ACTIVE, address="3 Grande Rue",
    )  # fmt: skip
    do_set_opening_hours(shop, [(d, time(0), time(23, 59)) for d in range(7)])
    do_create_offer(shop, {"sku": "B1", "name_fr": "Pain complet", "price": "2,40", "stock": "50"})
    TOKEN["owner"] = do_create_api_token(person=owner, label="fuzz")
    # The WSGI handler closes the connection after each request; the test's transaction lives on it.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# The document as /api/v1/openapi.json serves it (its content is checked by the access matrix).
schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_5xx_and_every_answer_matches_the_schema(case: Any, world: None) -> None:
    case.call_and_validate(
        # The werkzeug client does not undo gzip: ask for the plain body.
        headers={"Authorization": f"Bearer {TOKEN['owner']}", "Accept-Encoding": "identity"},
        checks=[not_a_server_error, response_schema_conformance],
    )
