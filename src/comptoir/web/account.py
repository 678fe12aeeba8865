"""A person's account pages: sign-up with a confirmed address, sign-in, password reset, API tokens.

None of these pages says whether an address has an account: sign-up and password
reset answer the same either way and tell the address's owner by mail.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from comptoir.core.errors import ComptoirError
from comptoir.members.models import Person
from comptoir.members.services import (
    api_tokens_of,
    do_confirm_sign_up,
    do_create_api_token,
    do_revoke_api_token,
    do_sign_up,
    may_mail_account,
)
from comptoir.web.forms import SignupForm

# Why a page asks to sign in, by where the visitor was going (footer links, issue 20).
SIGN_IN_REASONS = {
    "/adhesion/": gettext_lazy(
        "Membership is for people with an account: sign in, or create an account in a minute, "
        "then choose the college you want to join (residents, shops, workers)."
    ),
    "/ouvrir-un-commerce/": gettext_lazy(
        "To open a shop on the cooperative, sign in or create your account first: your application "
        "is then tied to you, and the cooperative's staff answer you by email."
    ),
}


class SignInView(auth_views.LoginView):
    template_name = "web/login.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        going = context.get("next") or ""
        context["reason"] = next(
            (text for path, text in SIGN_IN_REASONS.items() if going.startswith(path)), ""
        )
        return context


def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        confirm = reverse("web:signup-confirm", args=["UID", "TOKEN"])
        try:
            do_sign_up(
                **form.cleaned_data,
                confirm_url=request.build_absolute_uri(confirm)
                .replace("UID", "{uid}")
                .replace("TOKEN", "{token}"),
                reset_url=request.build_absolute_uri(reverse("web:password-reset")),
            )
        except ComptoirError as error:
            form.add_error(error.details.get("field"), error.message)
        else:
            return redirect("web:signup-sent")
    return render(request, "web/signup.html", {"form": form})


def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "web/signup_sent.html")


def signup_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """GET shows a button (mail scanners follow links); the POST activates and signs in."""
    if request.method == "POST":
        try:
            person = do_confirm_sign_up(uidb64=uidb64, token=token)
        except ComptoirError as error:
            return render(request, "web/error.html", {"message": error.message}, status=400)
        login(request, person, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect("web:home")
    return render(request, "web/signup_confirm.html")


class PersonLanguageResetForm(PasswordResetForm):
    """The reset mail goes out in the person's own language, not the requester's page language."""

    def send_mail(self, subject_template_name: str, email_template_name: str, context: dict[str, Any],
                  from_email: str | None, to_email: str, html_email_template_name: str | None = None) -> None:  # fmt: skip
        if not may_mail_account(to_email, "password_reset"):
            return  # the same answer on the page; the address is not flooded
        with translation.override(
            getattr(context.get("user"), "language", None) or translation.get_language()
        ):
            context["node_name"] = _node_name()
            super().send_mail(subject_template_name, email_template_name, context, from_email, to_email,
                              html_email_template_name)  # fmt: skip


def _node_name() -> str:
    from django.conf import settings

    return str(settings.COMPTOIR_NODE_NAME)


password_reset = auth_views.PasswordResetView.as_view(
    form_class=PersonLanguageResetForm,
    template_name="web/password/reset.html",
    email_template_name="members/emails/password_reset.txt",
    subject_template_name="members/emails/password_reset_subject.txt",
    success_url=reverse_lazy("web:password-reset-sent"),
)
password_reset_sent = auth_views.PasswordResetDoneView.as_view(template_name="web/password/reset_sent.html")
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="web/password/reset_confirm.html", success_url=reverse_lazy("web:password-reset-done")
)
password_reset_done = auth_views.PasswordResetCompleteView.as_view(
    template_name="web/password/reset_done.html"
)
password_change = auth_views.PasswordChangeView.as_view(
    template_name="web/password/change.html", success_url=reverse_lazy("web:api-tokens")
)


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    person = cast(Person, request.user)  # login_required
    created = ""
    if request.method == "POST":
        try:
            created = do_create_api_token(person=person, label=request.POST.get("label", "").strip())
        except ComptoirError as error:
            messages.error(request, error.message)
    return render(request, "web/api_tokens.html", {"tokens": api_tokens_of(person), "created": created})


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        do_revoke_api_token(person=cast(Person, request.user), token_id=token_id)
    except ComptoirError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Token revoked: it no longer opens the API."))
    return redirect("web:api-tokens")
