"""JSON API for people: trade a login for a bearer token."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import HttpBearer, django_auth

from comptoir.members.services import do_issue_api_token, person_for_api_token

router = Router(tags=["auth"])


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        person = person_for_api_token(token)
        if person is not None:
            request.user = person
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


@router.post("/token", response=TokenOut, auth=None, summary="Trade an email and password for a bearer token")
def issue_token(request: HttpRequest, body: TokenIn) -> dict[str, str]:
    return {"token": do_issue_api_token(email=body.email, password=body.password, label=body.label)}
