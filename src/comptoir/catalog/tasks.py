"""Background work of the catalog: a shop's import runs in the worker, never in a request."""

from __future__ import annotations

from django_tasks import task

from comptoir.catalog.imports import do_run_import_job


@task()
def run_catalog_import(job_id: int) -> str:
    job = do_run_import_job(job_id)
    return f"{job.status}: {job.rows_total} rows"
