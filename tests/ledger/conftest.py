"""The orders app's town, resident and immediate tasks, for checkouts that cite a parameter version."""

from tests.orders.conftest import immediate_tasks, resident, resident_api, town  # noqa: F401
