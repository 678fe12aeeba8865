"""HTTP endpoints of the protocol: thin, every check is in inbound.py."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import Http404, HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from comptoir.core.errors import InvalidInput
from comptoir.protocol import inbound, registry
from comptoir.protocol.identity import load_identity
from comptoir.protocol.wire import messages

ACTIONS = {"search", "select", "init", "confirm", "status", "track", "cancel", "update"}
ACTIONS |= {"on_" + action for action in ACTIONS}


@csrf_exempt  # peers authenticate by signature, not by cookie
@require_POST
def beckn(request: HttpRequest, action: str) -> JsonResponse:
    if action not in ACTIONS:
        return JsonResponse(
            {"error": {"type": "CONTEXT-ERROR", "message": f"unknown action {action}"}}, status=404
        )
    answer = inbound.receive(action, request.body, request.headers)
    response = JsonResponse(answer.body, status=answer.status)
    for name, value in answer.headers.items():
        response[name] = value
    return response


@csrf_exempt
@require_POST
def gateway(request: HttpRequest, action: str) -> JsonResponse:
    """Search from buyer apps, on_search from sellers: checked like any request, then relayed."""
    if not settings.COMPTOIR_PROTOCOL_GATEWAY or action not in ("search", "on_search"):
        raise Http404("this node is not a gateway")
    answer = inbound.receive(action, request.body, request.headers, relay=True)
    response = JsonResponse(answer.body, status=answer.status)
    for name, value in answer.headers.items():
        response[name] = value
    return response


def _registry_on() -> None:
    if not settings.COMPTOIR_PROTOCOL_REGISTRY:
        raise Http404("this node is not a registry")


@csrf_exempt
@require_POST
def subscribe(request: HttpRequest) -> JsonResponse:
    _registry_on()
    try:
        row = registry.do_subscribe(
            request.body, request.headers.get("Authorization"), registry=load_identity(), now=timezone.now()
        )
    except InvalidInput as error:
        return JsonResponse(messages.nack("CORE-ERROR", "10000", error.message), status=400)
    return JsonResponse({"message": {"ack": {"status": "ACK"}}, "status": row.status})


def registry_identity(request: HttpRequest) -> JsonResponse:
    """The registry's public keys, for subscribers to check its on_subscribe calls."""
    _registry_on()
    me = load_identity()
    return JsonResponse({
        "subscriber_id": me.subscriber_id, "ukId": me.unique_key_id, "subscriber_url": me.url,
        "signing_public_key": me.signing.public, "encr_public_key": me.encryption.public,
    })  # fmt: skip


@csrf_exempt
@require_POST
def lookup(request: HttpRequest) -> JsonResponse:
    _registry_on()
    try:
        criteria = json.loads(request.body)
    except ValueError:
        criteria = None
    if not isinstance(criteria, dict):
        return JsonResponse(messages.nack("CORE-ERROR", "10000", "the body is not a JSON object"), status=400)
    return JsonResponse(registry.lookup(criteria, now=timezone.now()), safe=False)


@csrf_exempt
@require_POST
def on_subscribe(request: HttpRequest) -> JsonResponse:
    """The registry's challenge: only our configured registry may ask, signed."""
    refusal = inbound.check_registry_call(request.body, request.headers.get("Authorization"))
    if refusal is not None:
        response = JsonResponse(refusal.body, status=refusal.status)
        for name, value in refusal.headers.items():
            response[name] = value
        return response
    try:
        text = registry.answer_challenge(json.loads(request.body), load_identity())
    except (ValueError, KeyError) as error:
        return JsonResponse(
            messages.nack("CORE-ERROR", "10000", f"challenge unreadable: {error}"), status=400
        )
    return JsonResponse({"answer": text})
