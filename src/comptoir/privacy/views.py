"""A person's data pages: download the archive, erase the account (with what is kept, said first)."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from comptoir.catalog.permissions import access_shop_for_staff
from comptoir.core.errors import ComptoirError
from comptoir.core.parameters import governed
from comptoir.members.models import Person
from comptoir.privacy.archive import person_archive
from comptoir.privacy.bundle import shop_bundle
from comptoir.privacy.exports import (
    CONTENT_TYPES,
    SUFFIX,
    access_export_for_person,
    do_request_export,
    download_name,
    exports_of,
    ready_file,
    stage_label,
)
from comptoir.privacy.services import do_erase_account, orders_of


def archive_response(person: Person) -> HttpResponse:
    response = HttpResponse(
        person_archive(person, settings.COMPTOIR_NODE_NAME), content_type="application/zip"
    )
    response["Content-Disposition"] = f'attachment; filename="comptoir-{person.pk}-data.zip"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    period = governed("retention_delivery_days")
    context = {"retention_days": period.value, "retention_source": _(period.source)}
    return render(request, "privacy/my_data.html", context)


@login_required
def archive(request: HttpRequest) -> HttpResponse:
    return archive_response(cast(Person, request.user))


def bundle_response(request: HttpRequest, ref: str) -> HttpResponse:
    shop = access_shop_for_staff(request.user, ref)
    response = HttpResponse(shop_bundle(shop), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{shop.ref}-migration-bundle.zip"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def shop_bundle_download(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        return bundle_response(request, ref)
    except ComptoirError as refusal:
        return render(request, "web/error.html", {"message": refusal.message}, status=403)


@login_required
def erase(request: HttpRequest) -> HttpResponse:
    person = cast(Person, request.user)
    error = ""
    if request.method == "POST":
        try:
            report = do_erase_account(
                person=person, password=request.POST.get("password", ""), confirm=request.POST.get("confirm", ""),
                via="page",
            )  # fmt: skip
        except ComptoirError as refusal:
            error = refusal.message
        else:
            logout(request)
            return render(request, "privacy/erased.html", {"orders_kept": report.orders_kept,
                                                           "memberships_kept": report.memberships_kept})  # fmt: skip
    context = {"orders_count": orders_of(person).count(), "word": _("ERASE"), "error": error}
    return render(request, "privacy/erase.html", context, status=400 if error else 200)


# --- exports prepared by the worker ------------------------------------------------------------------


def _refused(request: HttpRequest, refusal: ComptoirError) -> HttpResponse:
    return render(request, "web/error.html", {"message": refusal.message}, status=refusal.status)


@login_required
def exports(request: HttpRequest) -> HttpResponse:
    """Ask for an export (POST: kind, shop), or list mine, the latest first: leave and come back here."""
    person = cast(Person, request.user)
    if request.method == "POST":
        try:
            job = do_request_export(
                person=person, kind=request.POST.get("kind", ""), shop_ref=request.POST.get("shop", ""),
                locale=settings.LANGUAGE_CODE,
            )  # fmt: skip
        except ComptoirError as refusal:
            return _refused(request, refusal)
        return redirect("privacy:export", job_id=job.pk)
    context = {"jobs": exports_of(person), "export_hours": settings.COMPTOIR_EXPORT_HOURS}
    return render(request, "privacy/exports.html", context)


@login_required
def export(request: HttpRequest, job_id: int) -> HttpResponse:
    """One export's page: it reloads itself (no JavaScript) until the file is ready, then links to it."""
    try:
        job = access_export_for_person(request.user, job_id)
    except ComptoirError as refusal:
        return _refused(request, refusal)
    return render(request, "privacy/export.html", {"job": job, "stage": stage_label(job.stage)})


@login_required
def export_download(request: HttpRequest, job_id: int) -> HttpResponse | FileResponse:
    try:
        job = access_export_for_person(request.user, job_id)
        path = ready_file(job)
    except ComptoirError as refusal:
        return _refused(request, refusal)
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=download_name(job),
        content_type=CONTENT_TYPES[SUFFIX[job.kind]],
    )  # fmt: skip
    response["Cache-Control"] = "no-store"
    return response
