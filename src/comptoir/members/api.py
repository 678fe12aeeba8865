"""JSON API for people: trade a login for a bearer token, list and revoke one's tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import translation
from ninja import Router, Schema
from ninja.responses import Status
from ninja.security import HttpBearer, django_auth

from comptoir.members.models import ApiToken, Person
from comptoir.members.services import (
    api_tokens_of,
    do_issue_api_token,
    do_revoke_api_token,
    person_for_api_token,
    token_digest,
)

router = Router(tags=["auth"])


def use_persons_language(request: HttpRequest, person: Any) -> None:
    """A bearer token names the person only after the middleware chose French: their messages
    (errors included) follow their account's language unless the request carries a language cookie."""
    from comptoir.web.language import chosen_language

    language = chosen_language(request)
    translation.activate(language)
    request.LANGUAGE_CODE = language  # type: ignore[attr-defined]


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        person = person_for_api_token(token)
        if person is not None:
            request.user = person
            request.api_token_digest = token_digest(token)  # type: ignore[attr-defined]
            use_persons_language(request, person)
        return person


# Endpoints that act for someone accept a bearer token or a signed-in session (with CSRF).
AUTH = [TokenAuth(), django_auth]


class TokenIn(Schema):
    email: str
    password: str
    label: str = ""


class TokenOut(Schema):
    token: str
    token_type: str = "bearer"
    expires: datetime


class TokenInfo(Schema):
    id: int
    label: str
    created: datetime
    last_used: datetime | None
    expires: datetime
    current: bool


@router.post(
    "/token",
    response=TokenOut,
    auth=None,
    summary="Trade an email and password for a bearer token (throttled per account and address)",
)
def issue_token(request: HttpRequest, body: TokenIn) -> dict[str, Any]:
    token = do_issue_api_token(email=body.email, password=body.password, label=body.label, request=request)
    issued = ApiToken.objects.get(digest=token_digest(token))
    return {"token": token, "expires": issued.expires}


@router.get("/tokens", response=list[TokenInfo], auth=AUTH, summary="My API tokens (never their value)")
def list_tokens(request: HttpRequest) -> list[dict[str, Any]]:
    current = getattr(request, "api_token_digest", None)
    person: Person = request.user  # type: ignore[assignment]
    return [
        {"id": t.pk, "label": t.label, "created": t.created, "last_used": t.last_used, "expires": t.expires,
         "current": t.digest == current}
        for t in api_tokens_of(person)
    ]  # fmt: skip


@router.delete("/tokens/{token_id}", response={204: None}, auth=AUTH, summary="Revoke one of my API tokens")
def revoke_token(request: HttpRequest, token_id: int) -> Status[None]:
    do_revoke_api_token(person=request.user, token_id=token_id)  # type: ignore[arg-type]
    return Status(204, None)
