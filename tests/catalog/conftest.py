from typing import Any

import pytest


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings: Any) -> None:
    """Imports are worker tasks: here the worker runs each as soon as it is queued."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
