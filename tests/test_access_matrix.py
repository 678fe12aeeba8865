"""Who may open what: every URL pattern and every API operation × every role, one expectation table.

The routes come from Django's URL resolver and the operations from /api/v1/openapi.json, so a
route added without a row here fails `test_every_route_is_in_the_table`. Each probe is sent by
every role inside a transaction rolled back afterwards (a DELETE by one role does not change
what the next sees), and the answer must be exactly the one in the table: a status code,
`login` (a redirect to the sign-in page), `admin-login` (to the admin's) or `302` (another
redirect). A refused answer (401, 403, 404, 405, 429 or a redirect to a sign-in page) must name
no one: no email, name, phone or address of a person other than the one asking.

Objects are owned by one role each: the resident's order, the shop staff's shop and offer, the
courier's round, the dispatcher's slot; "other …" roles own their own, so the probe asks whether
one person reaches another's thing. The peer is another node: it signs each request (protocol
endpoints check it); it has no session, so it is a stranger everywhere else.

When a route is added: run `ACCESS_MATRIX_PRINT=1 pytest tests/test_access_matrix.py -s` to see
what each role gets, check each outcome by reading the view, then copy the reviewed rows here.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import time as clock
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
from django.contrib import messages as messages_api
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from comptoir.catalog import chains
from comptoir.catalog.models import ImportJob, Shop
from comptoir.catalog.services import do_create_offer, do_create_shop, do_set_opening_hours
from comptoir.catalog.suppliers import do_create_supplier
from comptoir.delivery.models import Depot, Round, Shift, Slot, Vehicle, Zone
from comptoir.delivery.planner.vroom_solver import VroomSolver
from comptoir.delivery.planning import plan_slot
from comptoir.governance import services as governance
from comptoir.members.models import ApiToken, Person
from comptoir.members.services import do_add_membership, do_create_api_token, ensure_colleges
from comptoir.orders import services as orders
from comptoir.privacy.exports import exports_dir
from comptoir.privacy.models import ExportJob
from comptoir.protocol.models import RemoteOrder
from comptoir.protocol.wire import messages
from comptoir.search.models import IndexRebuild
from tests.delivery.conftest import RING, book, tomorrow_at
from tests.protocol.conftest import Peer

ROLES = (
    "anonymous", "resident", "other_resident", "shop_staff", "other_shop_staff", "chain_staff",
    "courier", "other_courier", "dispatcher", "staff", "peer",
)  # fmt: skip
REFUSALS = {"401", "403", "404", "405", "429", "login", "admin-login"}


# ---------------------------------------------------------------------------------------------
# The expectation table. One row per probe: "METHOD route" → the outcome of each role, in the
# order of ROLES: anonymous resident other_resident shop_staff other_shop_staff chain_staff
# courier other_courier dispatcher staff peer ("-": not asked). Page routes are named by their URL name, API operations
# by "api METHOD /path".
# ---------------------------------------------------------------------------------------------
# Every admin page not listed in EXPECTED: the admin's gate sends everyone but the staff to its
# sign-in page; past it, the staff (superuser here) get an answer that is not an error ("ok").
ADMIN_ROW = " ".join(["admin-login"] * 9 + ["ok", "-"])
EXPECTED: dict[str, str] = {
    "GET admin:login": "200 200 200 200 200 200 200 200 200 ok -",
    "GET admin:logout": "302 302 302 302 302 302 302 302 302 ok -",
    "GET api:openapi-json": "200 200 200 200 200 200 200 200 200 200 -",
    "POST api:openapi-json": "200 200 200 200 200 200 200 200 200 200 -",
    "GET api:openapi-view": "200 200 200 200 200 200 200 200 200 200 -",
    "POST api:openapi-view": "200 200 200 200 200 200 200 200 200 200 -",
    "GET api:api-root": "404 404 404 404 404 404 404 404 404 404 -",
    "POST api:api-root": "404 404 404 404 404 404 404 404 404 404 -",
    "GET set_language": "302 302 302 302 302 302 302 302 302 302 -",
    "POST set_language": "302 302 302 302 302 302 302 302 302 302 -",
    "GET search:results": "200 200 200 200 200 200 200 200 200 200 -",
    "POST search:results": "200 200 200 200 200 200 200 200 200 200 -",
    "GET search:index": "login 403 403 403 403 403 403 403 403 200 -",
    "POST search:index": "login 403 403 403 403 403 403 403 403 302 -",
    "GET search:rebuild": "login 403 403 403 403 403 403 403 403 200 -",
    "POST search:rebuild": "login 403 403 403 403 403 403 403 403 200 -",
    "GET protocol:on-subscribe": "405 405 405 405 405 405 405 405 405 405 405",
    "POST protocol:on-subscribe": "401 401 401 401 401 401 401 401 401 401 401",
    "GET protocol:beckn": "405 405 405 405 405 405 405 405 405 405 405",
    "POST protocol:beckn": "401 401 401 401 401 401 401 401 401 401 200",
    "GET protocol:gateway-on-subscribe": "405 405 405 405 405 405 405 405 405 405 405",
    "POST protocol:gateway-on-subscribe": "401 401 401 401 401 401 401 401 401 401 401",
    "GET protocol:gateway": "405 405 405 405 405 405 405 405 405 405 405",
    "POST protocol:gateway": "401 401 401 401 401 401 401 401 401 401 200",
    "GET protocol:subscribe": "405 405 405 405 405 405 405 405 405 405 405",
    "POST protocol:subscribe": "400 400 400 400 400 400 400 400 400 400 400",
    "GET protocol:lookup": "405 405 405 405 405 405 405 405 405 405 405",
    "POST protocol:lookup": "200 200 200 200 200 200 200 200 200 200 200",
    "GET protocol:registry-identity": "400 400 400 400 400 400 400 400 400 400 400",
    "POST protocol:registry-identity": "400 400 400 400 400 400 400 400 400 400 400",
    "GET protocol:peer-results": "200 200 200 200 200 200 200 200 200 200 -",
    "POST protocol:peer-results": "200 200 200 200 200 200 200 200 200 200 -",
    "GET protocol:remote-add": "405 405 405 405 405 405 405 405 405 405 -",
    "POST protocol:remote-add": "login 302! 302! 302! 302! 302! 302! 302! 302! 302! -",
    "GET protocol:remote-update": "login 405 405 405 405 405 405 405 405 405 -",
    "POST protocol:remote-update": "login 302! 302! 302! 302! 302! 302! 302! 302! 302! -",
    "GET protocol:remote-checkout": "login 200 302 302 302 302 302 302 302 302 -",
    "POST protocol:remote-checkout": "login 400 302 302 302 302 302 302 302 302 -",
    "GET protocol:remote-order": "login 200 404 404 404 404 404 404 404 404 -",
    "POST protocol:remote-order": "login 200 404 404 404 404 404 404 404 404 -",
    "GET protocol:remote-cancel": "login 405 405 405 405 405 405 405 405 405 -",
    "POST protocol:remote-cancel": "login 302! 302! 302! 302! 302! 302! 302! 302! 302! -",
    "GET orders:cart": "200 200 200 200 200 200 200 200 200 200 -",
    "POST orders:cart": "200 200 200 200 200 200 200 200 200 200 -",
    "GET orders:cart-add": "405 405 405 405 405 405 405 405 405 405 -",
    "POST orders:cart-add": "302 302 302 302 302 302 302 302 302 302 -",
    "GET orders:cart-update": "405 405 405 405 405 405 405 405 405 405 -",
    "POST orders:cart-update": "302! 302! 302! 302! 302! 302! 302! 302! 302! 302! -",
    "GET orders:checkout": "302 302 302 302 302 302 302 302 302 302 -",
    "POST orders:checkout": "302 302 302 302 302 302 302 302 302 302 -",
    "GET orders:order": "403 200 403 403 403 403 403 403 403 200 -",
    "POST orders:order": "403 200 403 403 403 403 403 403 403 200 -",
    "GET orders:order-live": "403 302 403 403 403 403 403 403 403 302 -",
    "POST orders:order-live": "403 302 403 403 403 403 403 403 403 302 -",
    "GET orders:order-again": "405 405 405 405 405 405 405 405 405 405 -",
    "POST orders:order-again": "403 302 403 403 403 403 403 403 403 302 -",
    "GET orders:order-confirm-email": "405 405 405 405 405 405 405 405 405 405 -",
    "POST orders:order-confirm-email": "403 302 403 403 403 403 403 403 403 302 -",
    "GET orders:order-action": "403 200 403 403 403 403 403 403 403 200 -",
    "POST orders:order-action": "403 302 403 403 403 403 403 403 403 302 -",
    "GET orders:my-orders": "200 200 200 200 200 200 200 200 200 200 -",
    "POST orders:my-orders": "200 200 200 200 200 200 200 200 200 200 -",
    "GET orders:shop-queue": "login 403 403 200 403 403 403 403 403 200 -",
    "POST orders:shop-queue": "login 403 403 200 403 403 403 403 403 200 -",
    "GET orders:shop-queue-new": "login 405 405 405 405 405 405 405 405 405 -",
    "POST orders:shop-queue-new": "login 403 403 200 403 403 403 403 403 200 -",
    "GET orders:shop-order": "login 403 403 200 403 403 403 403 403 200 -",
    "POST orders:shop-order": "login 403 403 200 403 403 403 403 403 200 -",
    "GET orders:shop-order-action": "login 403 403 302 403 403 403 403 403 302 -",
    "POST orders:shop-order-action": "login 403 403 302 403 403 403 403 403 302 -",
    "GET delivery:dispatch": "login 403 403 403 403 403 403 403 200 200 -",
    "POST delivery:dispatch": "login 403 403 403 403 403 403 403 200 200 -",
    "GET delivery:slot": "login 403 403 403 403 403 403 403 200 200 -",
    "POST delivery:slot": "login 403 403 403 403 403 403 403 200 200 -",
    "GET delivery:plan": "login 405 405 405 405 405 405 405 405 405 -",
    "POST delivery:plan": "login 403 403 403 403 403 403 403 302 302 -",
    "GET delivery:move": "login 405 405 405 405 405 405 405 405 405 -",
    "POST delivery:move": "login 302! 302! 302! 302! 302! 302! 302! 302 302 -",
    "GET delivery:allow-code-attempts": "login 405 405 405 405 405 405 405 405 405 -",
    "POST delivery:allow-code-attempts": "login 302! 302! 302! 302! 302! 302! 302! 302 302 -",
    "GET delivery:tracking": "200 200 200 200 200 200 200 200 200 200 -",
    "POST delivery:tracking": "200 200 200 200 200 200 200 200 200 200 -",
    "GET delivery:shop-pickups": "login 403 403 200 403 403 403 403 403 200 -",
    "POST delivery:shop-pickups": "login 403 403 200 403 403 403 403 403 200 -",
    "GET delivery:courier": "login 403 403 403 403 403 200 200 403 403 -",
    "POST delivery:courier": "login 403 403 403 403 403 200 200 403 403 -",
    "GET delivery:round": "login 403 403 403 403 403 200 403 403 403 -",
    "POST delivery:round": "login 403 403 403 403 403 200 403 403 403 -",
    "GET ledger:months": "200 200 200 200 200 200 200 200 200 200 -",
    "POST ledger:months": "200 200 200 200 200 200 200 200 200 200 -",
    "GET ledger:month": "200 200 200 200 200 200 200 200 200 200 -",
    "POST ledger:month": "200 200 200 200 200 200 200 200 200 200 -",
    "GET ledger:statement": "403 403 403 200 403 403 403 403 200 200 -",
    "POST ledger:statement": "403 403 403 200 403 403 403 403 200 200 -",
    "GET ledger:courier-pay": "403 403 403 403 403 403 200 200 403 403 -",
    "POST ledger:courier-pay": "403 403 403 403 403 403 200 200 403 403 -",
    "GET privacy:my-data": "login 200 200 200 200 200 200 200 200 200 -",
    "POST privacy:my-data": "login 200 200 200 200 200 200 200 200 200 -",
    "GET privacy:archive": "login 200 200 200 200 200 200 200 200 200 -",
    "POST privacy:archive": "login 200 200 200 200 200 200 200 200 200 -",
    "GET privacy:erase": "login 200 200 200 200 200 200 200 200 200 -",
    "POST privacy:erase": "login 400 400 400 400 400 400 400 400 400 -",
    "GET privacy:shop-bundle": "login 403 403 200 403 403 403 403 403 200 -",
    "POST privacy:shop-bundle": "login 403 403 200 403 403 403 403 403 200 -",
    "GET privacy:exports": "login 200 200 200 200 200 200 200 200 200 -",
    "POST privacy:exports": "login 400 400 400 400 400 400 400 400 400 -",
    "GET privacy:export": "login 200 404 404 404 404 404 404 404 404 -",
    "POST privacy:export": "login 200 404 404 404 404 404 404 404 404 -",
    "GET privacy:export-download": "login 200 404 404 404 404 404 404 404 404 -",
    "POST privacy:export-download": "login 200 404 404 404 404 404 404 404 404 -",
    "GET governance:proposals": "200 200 200 200 200 200 200 200 200 200 -",
    "POST governance:proposals": "200 200 200 200 200 200 200 200 200 200 -",
    "GET governance:new": "login 200 200 200 200 200 200 200 200 200 -",
    "POST governance:new": "login 200 200 200 200 200 200 200 200 200 -",
    "GET governance:proposal": "404 200 404 404 404 404 404 404 404 404 -",
    "POST governance:proposal": "404 200 404 404 404 404 404 404 404 404 -",
    "GET governance:submit": "405 405 405 405 405 405 405 405 405 405 -",
    "POST governance:submit": "login 302 302! 302! 302! 302! 302! 302! 302! 302! -",
    "GET governance:comment": "405 405 405 405 405 405 405 405 405 405 -",
    "POST governance:comment": "login 302! 302! 302! 302! 302! 302! 302! 302! 302! -",
    "GET governance:vote": "405 405 405 405 405 405 405 405 405 405 -",
    "POST governance:vote": "login 302! 404 404 404 404 404 404 404 404 -",
    "GET governance:verify": "200 200 200 200 200 200 200 200 200 200 -",
    "POST governance:verify": "200 200 200 200 200 200 200 200 200 200 -",
    "GET web:home": "200 200 200 200 200 200 200 200 200 200 -",
    "POST web:home": "200 200 200 200 200 200 200 200 200 200 -",
    "GET web:directory": "200 200 200 200 200 200 200 200 200 200 -",
    "POST web:directory": "200 200 200 200 200 200 200 200 200 200 -",
    "GET web:shop": "200 200 200 200 200 200 200 200 200 200 -",
    "POST web:shop": "200 200 200 200 200 200 200 200 200 200 -",
    # The matrix's chain has no branch yet: its public page is a 404 for everyone.
    "GET web:chain": "404 404 404 404 404 404 404 404 404 404 -",
    "POST web:chain": "404 404 404 404 404 404 404 404 404 404 -",
    "GET web:offer": "200 200 200 200 200 200 200 200 200 200 -",
    "POST web:offer": "200 200 200 200 200 200 200 200 200 200 -",
    "GET web:suppliers": "200 200 200 200 200 200 200 200 200 200 -",
    "POST web:suppliers": "200 200 200 200 200 200 200 200 200 200 -",
    "GET web:supplier": "200 200 200 200 200 200 200 200 200 200 -",
    "POST web:supplier": "200 200 200 200 200 200 200 200 200 200 -",
    "GET web:local-share": "200 200 200 200 200 200 200 200 200 200 -",
    "POST web:local-share": "200 200 200 200 200 200 200 200 200 200 -",
    "GET web:shop-suppliers": "login 403 403 200 403 403 403 403 403 200 -",
    "POST web:shop-suppliers": "login 403 403 200 403 403 403 403 403 200 -",
    "GET web:signup": "200 200 200 200 200 200 200 200 200 200 -",
    "POST web:signup": "200 200 200 200 200 200 200 200 200 200 -",
    "GET web:signup-sent": "200 200 200 200 200 200 200 200 200 200 -",
    "POST web:signup-sent": "200 200 200 200 200 200 200 200 200 200 -",
    "GET web:signup-confirm": "200 200 200 200 200 200 200 200 200 200 -",
    "POST web:signup-confirm": "400 400 400 400 400 400 400 400 400 400 -",
    "GET web:login": "200 200 200 200 200 200 200 200 200 200 -",
    "POST web:login": "200 200 200 200 200 200 200 200 200 200 -",
    "GET web:password-reset": "200 200 200 200 200 200 200 200 200 200 -",
    "POST web:password-reset": "200 200 200 200 200 200 200 200 200 200 -",
    "GET web:password-reset-sent": "200 200 200 200 200 200 200 200 200 200 -",
    "POST web:password-reset-sent": "405 405 405 405 405 405 405 405 405 405 -",
    "GET web:password-reset-confirm": "200 200 200 200 200 200 200 200 200 200 -",
    "POST web:password-reset-confirm": "200 200 200 200 200 200 200 200 200 200 -",
    "GET web:password-reset-done": "200 200 200 200 200 200 200 200 200 200 -",
    "POST web:password-reset-done": "405 405 405 405 405 405 405 405 405 405 -",
    "GET web:password-change": "login 200 200 200 200 200 200 200 200 200 -",
    "POST web:password-change": "login 200 200 200 200 200 200 200 200 200 -",
    "GET web:api-tokens": "login 200 200 200 200 200 200 200 200 200 -",
    "POST web:api-tokens": "login 200 200 200 200 200 200 200 200 200 -",
    "GET web:api-token-revoke": "login 405 405 405 405 405 405 405 405 405 -",
    "POST web:api-token-revoke": "login 302 302! 302! 302! 302! 302! 302! 302! 302! -",
    "GET web:logout": "405 405 405 405 405 405 405 405 405 405 -",
    "POST web:logout": "200 200 200 200 200 200 200 200 200 200 -",
    "GET web:shop-apply": "login 200 200 200 200 200 200 200 200 200 -",
    "POST web:shop-apply": "login 200 200 200 200 200 200 200 200 200 -",
    "GET web:membership": "login 200 200 200 200 200 200 200 200 200 -",
    "POST web:membership": "login 200 200 200 200 200 200 200 200 200 -",
    "GET web:shop-dashboard": "login 403 403 200 403 403 403 403 403 200 -",
    "POST web:shop-dashboard": "login 403 403 200 403 403 403 403 403 200 -",
    "GET web:shop-profile": "login 403 403 200 403 403 403 403 403 200 -",
    "POST web:shop-profile": "login 403 403 200 403 403 403 403 403 200 -",
    "GET web:shop-bulk-edit": "login 403 403 302 403 403 403 403 403 302 -",
    "POST web:shop-bulk-edit": "login 403 403 302 403 403 403 403 403 302 -",
    "GET web:shop-offer-new": "login 403 403 200 403 403 403 403 403 200 -",
    "POST web:shop-offer-new": "login 403 403 400 403 403 403 403 403 400 -",
    "GET web:shop-offer-edit": "login 403 403 200 403 403 403 403 403 200 -",
    "POST web:shop-offer-edit": "login 403 403 400 403 403 403 403 403 400 -",
    "GET web:shop-offer-delete": "login 403 403 200 403 403 403 403 403 200 -",
    "POST web:shop-offer-delete": "login 403 403 302 403 403 403 403 403 302 -",
    "GET web:shop-import": "login 403 403 200 403 403 403 403 403 200 -",
    "POST web:shop-import": "login 403 403 400 403 403 403 403 403 400 -",
    "GET web:shop-import-result": "login 403 403 200 403 403 403 403 403 200 -",
    "POST web:shop-import-result": "login 403 403 200 403 403 403 403 403 200 -",
    "GET web:shop-export": "login 403 403 200 403 403 403 403 403 200 -",
    "POST web:shop-export": "login 403 403 200 403 403 403 403 403 200 -",
    "GET web:chain-dashboard": "login 403 403 403 403 200 403 403 403 200 -",
    "POST web:chain-dashboard": "login 403 403 403 403 200 403 403 403 200 -",
    "GET web:chain-import": "login 403 403 403 403 200 403 403 403 200 -",
    "POST web:chain-import": "login 403 403 403 403 400 403 403 403 400 -",
    "GET web:chain-import-result": "login 403 403 403 403 200 403 403 403 200 -",
    "POST web:chain-import-result": "login 403 403 403 403 200 403 403 403 200 -",
    "api POST /api/v1/auth/token": "403 403 403 403 403 403 403 403 403 403 403",
    "api GET /api/v1/auth/tokens": "401 200 200 200 200 200 200 200 200 200 401",
    "api DELETE /api/v1/auth/tokens/{token_id}": "401 204 404 404 404 404 404 404 404 404 401",
    "api GET /api/v1/delivery/rounds/{round_id}": "401 403 403 403 403 403 200 403 403 403 401",
    "api POST /api/v1/delivery/rounds/{round_id}/actions": "401 403 403 403 403 403 200 403 403 403 401",
    "api POST /api/v1/delivery/slots/{slot_id}/plan": "401 403 403 403 403 403 403 403 200 200 401",
    "api GET /api/v1/delivery/slots/{slot_id}/runs": "401 403 403 403 403 403 403 403 200 200 401",
    "api GET /api/v1/delivery/tracking/{ref}": "200 200 200 200 200 200 200 200 200 200 200",
    "api GET /api/v1/delivery/round-costs": "200 200 200 200 200 200 200 200 200 200 200",
    "api GET /api/v1/governance/parameters": "200 200 200 200 200 200 200 200 200 200 200",
    "api GET /api/v1/governance/parameters/{name}": "200 200 200 200 200 200 200 200 200 200 200",
    "api PUT /api/v1/governance/parameters/{name}": "401 403 403 403 403 403 403 403 403 403 401",
    "api GET /api/v1/governance/proposals": "200 200 200 200 200 200 200 200 200 200 200",
    "api POST /api/v1/governance/proposals": "401 201 201 201 201 201 201 201 201 403 401",
    "api GET /api/v1/governance/proposals/{proposal_id}": "200 200 200 200 200 200 200 200 200 200 200",
    "api POST /api/v1/governance/proposals/{proposal_id}/submit": "401 200 403 403 403 403 403 403 403 403 401",
    "api POST /api/v1/governance/proposals/{proposal_id}/comments": "401 400 400 400 400 400 400 400 400 403 401",
    "api POST /api/v1/governance/proposals/{proposal_id}/votes": "401 400 400 400 400 400 400 400 400 400 401",
    "api GET /api/v1/governance/proposals/{proposal_id}/tally": "400 400 400 400 400 400 400 400 400 400 400",
    "api GET /api/v1/governance/receipts/{receipt}": "404 404 404 404 404 404 404 404 404 404 404",
    "api GET /api/v1/ledger/check": "200 200 200 200 200 200 200 200 200 200 200",
    "api GET /api/v1/ledger/accounts": "200 200 200 200 200 200 200 200 200 200 200",
    "api GET /api/v1/ledger/balances": "200 200 200 200 200 200 200 200 200 200 200",
    "api GET /api/v1/ledger/balances/detail": "401 403 403 403 403 403 403 403 200 200 401",
    "api GET /api/v1/ledger/entries": "401 403 403 403 403 403 403 403 200 200 401",
    "api POST /api/v1/ledger/costs": "401 403 403 403 403 403 403 403 400 400 401",
    "api GET /api/v1/ledger/statements/shops/{shop_ref}": "401 403 403 200 403 403 403 403 200 200 401",
    "api GET /api/v1/ledger/reports/{month}": "200 200 200 200 200 200 200 200 200 200 200",
    "api POST /api/v1/ledger/closings": "401 403 403 403 403 403 403 403 400 400 401",
    "api GET /api/v1/me/archive": "401 200 200 200 200 200 200 200 200 200 401",
    "api POST /api/v1/me/erase": "401 400 400 400 400 400 400 400 400 400 401",
    "api GET /api/v1/shops/{ref}/bundle": "401 403 403 200 403 403 403 403 403 200 401",
    "api GET /api/v1/shops": "200 200 200 200 200 200 200 200 200 200 200",
    "api GET /api/v1/shops/{ref}": "200 200 200 200 200 200 200 200 200 200 200",
    "api GET /api/v1/shops/{ref}/offers": "200 200 200 200 200 200 200 200 200 200 200",
    "api POST /api/v1/shops/{ref}/offers": "401 403 403 201 403 403 403 403 403 201 401",
    "api GET /api/v1/offers/{offer_id}": "200 200 200 200 200 200 200 200 200 200 200",
    "api PATCH /api/v1/offers/{offer_id}": "401 403 403 200 403 403 403 403 403 200 401",
    "api DELETE /api/v1/offers/{offer_id}": "401 403 403 204 403 403 403 403 403 204 401",
    "api POST /api/v1/shops/{ref}/imports": "401 403 403 202 403 403 403 403 403 202 401",
    "api GET /api/v1/shops/{ref}/imports/{job_id}": "401 403 403 200 403 403 403 403 403 200 401",
    "api GET /api/v1/organisations/{ref}": "200 200 200 200 200 200 200 200 200 200 200",
    "api GET /api/v1/organisations/{ref}/products": "401 403 403 403 403 200 403 403 403 200 401",
    "api POST /api/v1/organisations/{ref}/products": "401 403 403 403 403 201 403 403 403 201 401",
    "api PATCH /api/v1/chain-products/{product_id}": "401 403 403 403 403 200 403 403 403 200 401",
    "api DELETE /api/v1/chain-products/{product_id}": "401 403 403 403 403 204 403 403 403 204 401",
    "api POST /api/v1/organisations/{ref}/imports": "401 403 403 403 403 202 403 403 403 202 401",
    "api GET /api/v1/organisations/{ref}/imports/{job_id}": "401 403 403 403 403 200 403 403 403 200 401",
    "api GET /api/v1/shops/{ref}/catalog.jsonld": "200 200 200 200 200 200 200 200 200 200 200",
    "api GET /api/v1/offers/{offer_id}/jsonld": "200 200 200 200 200 200 200 200 200 200 200",
    "api GET /api/v1/suppliers": "200 200 200 200 200 200 200 200 200 200 200",
    "api GET /api/v1/suppliers/{ref}": "200 200 200 200 200 200 200 200 200 200 200",
    "api POST /api/v1/shops/{ref}/suppliers": "401 403 403 201 403 403 403 403 403 201 401",
    "api GET /api/v1/search": "200 200 200 200 200 200 200 200 200 200 200",
    "api GET /api/v1/cart": "401 200 200 200 200 200 200 200 200 200 401",
    "api POST /api/v1/cart/items": "401 200 200 200 200 200 200 200 200 200 401",
    "api PATCH /api/v1/cart/items/{offer_id}": "401 404 404 404 404 404 404 404 404 404 401",
    "api POST /api/v1/checkout": "401 201 201 201 201 201 201 201 201 201 401",
    "api GET /api/v1/orders/{order_id}": "401 200 403 403 403 403 403 403 403 200 401",
    "api POST /api/v1/orders/{order_id}/shop-orders/{shop_order_id}/{action}": "401 200 403 403 403 403 403 403 403 200 401",
    "api POST /api/v1/shop-orders/{shop_order_id}/{action}": "401 403 403 200 403 403 403 403 403 200 401",
    "api POST /api/v1/orders/{order_id}/payments": "401 403 403 403 403 403 403 403 201 201 401",
    "api POST /api/v1/orders/{order_id}/refunds": "401 403 403 403 403 403 403 403 400 400 401",
}


# ---------------------------------------------------------------------------------------------
# The world: one object of each kind, owned by one role.
# ---------------------------------------------------------------------------------------------
@dataclass
class World:
    people: dict[str, Person | None]
    values: dict[str, Any]
    peer: Peer
    tokens: dict[str, str] = field(default_factory=dict)  # role → API bearer token
    sessions: dict[str, str] = field(default_factory=dict)  # role → session cookie


def _person(email: str, name: str, phone: str, *colleges: str, **extra: Any) -> Person:
    person = Person.objects.create_user(email, None, full_name=name, phone=phone, **extra)
    for college in colleges:
        do_add_membership(person, college)
    return person


def build_world(settings: Any, tmp_path: Path) -> World:
    ensure_colleges()
    settings.COMPTOIR_SEARCH_DIR = tmp_path / "search"
    settings.COMPTOIR_PROTOCOL_REGISTRY = True
    settings.COMPTOIR_PROTOCOL_GATEWAY = True
    settings.COMPTOIR_HOME = tmp_path
    people: dict[str, Person | None] = {
        "anonymous": None,
        "resident": _person("alice.martin@example.org", "Alice Martin", "0601020304", "residents"),
        "other_resident": _person("bruno.petit@example.org", "Bruno Petit", "0605060708", "residents"),
        "shop_staff": _person("camille.roux@example.org", "Camille Roux", "0381112233", "shops"),
        "other_shop_staff": _person("dominique.girard@example.org", "Dominique Girard", "0381445566", "shops"),
        "chain_staff": _person("ines.chaine@example.org", "Inès Chaîne", "0381778899", "shops"),
        "courier": _person("eden.coursier@example.org", "Eden Coursier", "0701010101", "workers"),
        "other_courier": _person("farah.coursier@example.org", "Farah Coursier", "0702020202", "workers"),
        "dispatcher": _person("gael.dispatch@example.org", "Gaël Dispatch", "0703030303", "staff"),
        "staff": _person("helene.admin@example.org", "Hélène Admin", "0704040404", is_staff=True, is_superuser=True),
        "peer": None,
    }  # fmt: skip
    shop = do_create_shop(
        owner=people["shop_staff"], ref="boulangerie", name="Boulangerie du Pont", kind="bakery",
        lat=47.056, lon=6.004, status=Shop.Status.ACTIVE, address="3 Grande Rue",
    )  # fmt: skip
    other_shop = do_create_shop(
        owner=people["other_shop_staff"], ref="quincaillerie", name="Quincaillerie Girard", kind="hardware",
        lat=47.06, lon=6.01, status=Shop.Status.ACTIVE, address="5 rue du Lac",
    )  # fmt: skip
    for s in (shop, other_shop):
        do_set_opening_hours(s, [(d, clock(0), clock(23, 59)) for d in range(7)])
    bread = do_create_offer(shop, {"sku": "B1", "name_fr": "Pain complet", "price": "2,40", "stock": "50"})
    hammer = do_create_offer(other_shop, {"sku": "H1", "name_fr": "Marteau", "price": "10,50", "stock": "50"})

    def place(person: Person, offer: Any) -> Any:
        request = orders.CheckoutRequest(
            email=person.email, fulfilment={offer.shop.ref: "collect"}, payment_method="on_handover",
            items=[(offer.pk, 1)],
        )  # fmt: skip
        order, _created = orders.do_checkout(person, None, request)
        return order

    order = place(people["resident"], bread)  # type: ignore[arg-type]
    other_order = place(people["other_resident"], hammer)  # type: ignore[arg-type]

    depot = Depot.objects.create(name="Hangar", address="1 rue du Port", lat=47.0540, lon=6.0000)
    zone = Zone.objects.create(name="Centre", depot=depot, ring=RING)
    bike = Vehicle.objects.create(
        name="Biporteur 1", kind="cargo_bike", depot=depot, capacity_g=80_000, capacity_ml=300_000,
        cost_per_hour_cents=50, cost_per_km_cents=8,
    )  # fmt: skip
    Shift.objects.create(
        courier=people["courier"], vehicle=bike, starts=tomorrow_at(16, 30), ends=tomorrow_at(19, 30)
    )
    slot = Slot.objects.create(
        zone=zone, starts=tomorrow_at(17), ends=tomorrow_at(19), closes_at=tomorrow_at(12),
        capacity_orders=20, capacity_ml=600_000,
    )  # fmt: skip
    tracking_ref = book(slot, 900, [shop], n=1)
    book(slot, 901, [other_shop], n=2)
    run = plan_slot(slot.pk, solver=VroomSolver(exploration_level=1, threads=1), limit=1)
    assert run.status == "done", run.message
    round_ = Round.objects.get(slot=slot)
    assert round_.courier_id == people["courier"].pk  # type: ignore[union-attr]
    stop = round_.stops.filter(kind="drop").order_by("sequence").first()
    assert stop is not None

    chain = chains.do_create_organisation(
        ref="fromageries", name="Fromageries du Doubs", owner=people["chain_staff"]
    )
    product = chains.do_save_chain_product(
        chain, {"sku": "COMTE-18", "name_fr": "Comté 18 mois", "price": "24"}
    )
    chain_job = ImportJob.objects.create(
        organisation=chain, person=people["chain_staff"], filename="chaine.csv", mode="valid", status="done"
    )
    remote_fields = {
        "seller_id": "node-b.example", "seller_url": "https://node-b.example/beckn", "domain": "ONDC:RET10",
        "provider_id": "p1", "provider_name": "Épicerie de Besançon", "currency": "EUR",
        "lines": [{"item_id": "i1", "name": "Miel", "price_cents": 800, "quantity": 1}],
    }  # fmt: skip
    remote_cart = RemoteOrder.objects.create(person=people["resident"], **remote_fields)
    remote_order = RemoteOrder.objects.create(
        person=people["resident"], state=RemoteOrder.State.PLACED, order_ref="o-1", total_cents=800,
        drop={"name": "Alice Martin", "phone": "0601020304", "address": "12 rue des Granges"}, **remote_fields,
    )  # fmt: skip
    supplier = do_create_supplier(shop=shop, name="Moulin de la Loue", postal_code="25290")
    job = ImportJob.objects.create(
        shop=shop, person=people["shop_staff"], filename="catalogue.csv", mode="valid", status="done"
    )
    do_create_api_token(person=people["resident"], label="mine")  # type: ignore[arg-type]
    token_id = ApiToken.objects.get(person=people["resident"], label="mine").pk
    proposal = governance.do_draft_proposal(
        author=people["resident"], title="Horaires", body="Ouvrir le dimanche."
    )
    resident = people["resident"]
    assert resident is not None
    export_file = exports_dir() / "matrix-archive.zip"
    export_file.write_bytes(b"PK\x05\x06" + bytes(18))  # an empty ZIP: the resident's ready export
    export = ExportJob.objects.create(
        person=resident, kind="archive", status="ready", path=str(export_file), size=22, created=timezone.now(),
        finished=timezone.now(), expires=timezone.now() + timedelta(hours=1),
    )  # fmt: skip
    rebuild = IndexRebuild.objects.create(
        requested_by=people["staff"], status="done", current=None, done=1, total=1, created=timezone.now(),
        updated=timezone.now(), finished=timezone.now(),
    )  # fmt: skip
    values = {
        "ref": shop.ref, "shop_ref": shop.ref, "offer_id": bread.pk, "order_token": order.token, "order_id": order.pk,
        "shop_order_id": order.shop_orders.get().pk, "other_order_token": other_order.token,
        "slot_id": slot.pk, "stop_id": stop.pk, "booking_id": stop.booking_id, "round_id": round_.pk, "tracking_ref": tracking_ref,
        "supplier_ref": supplier.ref, "remote_cart_id": remote_cart.pk, "remote_order_id": remote_order.pk, "job_id": job.pk, "org_ref": chain.ref, "product_id": product.pk, "org_job_id": chain_job.pk, "token_id": token_id, "proposal_id": proposal.pk, "month": timezone.localdate().strftime("%Y-%m"),
        "export_id": export.pk, "rebuild_id": rebuild.pk, "uidb64": urlsafe_base64_encode(force_bytes(resident.pk)),
        "reset_token": default_token_generator.make_token(resident),
    }  # fmt: skip
    peer = Peer("node-a.example", "BAP")
    peer.trust(domain="ONDC:RET10")
    world = World(people=people, values=values, peer=peer)
    for role, person in people.items():
        if person is None:
            continue
        client = Client()
        client.force_login(person)
        world.sessions[role] = client.cookies["sessionid"].value
        world.tokens[role] = do_create_api_token(person=person, label="matrix")
    return world


# ---------------------------------------------------------------------------------------------
# Routes and operations, from the resolver and the OpenAPI document.
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    pattern: str  # the route as written, converters included
    keys: tuple[str, ...]


def page_routes() -> list[Route]:
    found: list[Route] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                inner = ":".join(x for x in (namespace, p.namespace or "") if x)
                walk(p.url_patterns, prefix + str(p.pattern), inner)
            elif isinstance(p, URLPattern):
                name = ":".join(x for x in (namespace, p.name) if x) if p.name else ""
                found.append(Route(name, prefix + str(p.pattern), tuple(p.pattern.regex.groupindex)))

    walk(get_resolver().url_patterns, "", "")
    return found


def api_operations() -> list[tuple[str, str]]:
    document = Client().get("/api/v1/openapi.json").json()
    return [(method.upper(), path) for path, ops in document["paths"].items() for method in ops]


# Route-specific URL values; any other key takes the world's value of the same name.
ROUTE_VALUES: dict[str, dict[str, str]] = {
    "orders:order": {"token": "order_token"},
    "orders:order-live": {"token": "order_token"},
    "orders:order-again": {"token": "order_token"},
    "orders:order-confirm-email": {"token": "order_token"},
    "orders:order-action": {"token": "order_token", "action": "=cancel"},
    "orders:shop-order-action": {"action": "=accept"},
    "web:signup-confirm": {"token": "reset_token"},
    "web:password-reset-confirm": {"token": "reset_token"},
    "web:shop-export": {"fmt": "=csv"},
    "delivery:tracking": {"ref": "tracking_ref"},
    "protocol:beckn": {"action": "=status"},
    "protocol:gateway": {"action": "=search"},
    "api:api-root": {},
    "web:supplier": {"ref": "supplier_ref"},
    "web:chain": {"ref": "org_ref"},
    "web:chain-dashboard": {"ref": "org_ref"},
    "web:chain-import": {"ref": "org_ref"},
    "web:chain-import-result": {"ref": "org_ref", "job_id": "org_job_id"},
    "protocol:remote-checkout": {"remote_id": "remote_cart_id"},
    "protocol:remote-order": {"remote_id": "remote_order_id"},
    "protocol:remote-cancel": {"remote_id": "remote_order_id"},
    "privacy:export": {"job_id": "export_id"},
    "privacy:export-download": {"job_id": "export_id"},
}
ADMIN_VALUES = {"app_label": "members", "object_id": "1", "content_type_id": "1", "url": "nowhere/"}
API_VALUES = {
    "/api/v1/delivery/tracking/{ref}": {"ref": "tracking_ref"},
    "/api/v1/orders/{order_id}/shop-orders/{shop_order_id}/{action}": {"action": "=cancel"},
    "/api/v1/shop-orders/{shop_order_id}/{action}": {"action": "=accept"},
    "/api/v1/governance/parameters/{name}": {"name": "=coop_fee_percent"},
    "/api/v1/governance/receipts/{receipt}": {"receipt": "=no-such-receipt"},
    "/api/v1/suppliers/{ref}": {"ref": "supplier_ref"},
    "/api/v1/organisations/{ref}": {"ref": "org_ref"},
    "/api/v1/organisations/{ref}/products": {"ref": "org_ref"},
    "/api/v1/organisations/{ref}/imports": {"ref": "org_ref"},
    "/api/v1/organisations/{ref}/imports/{job_id}": {"ref": "org_ref", "job_id": "org_job_id"},
}
# A valid body for each API write, so that a role's answer is about access, not about the body.
API_BODIES: dict[str, Callable[[World], Any]] = {
    "POST /api/v1/auth/token": lambda w: {"email": "nobody@example.org", "password": "wrong password"},
    "POST /api/v1/delivery/rounds/{round_id}/actions": lambda w: {"actions": []},
    "PUT /api/v1/governance/parameters/{name}": lambda w: {"value": "3"},
    "POST /api/v1/governance/proposals": lambda w: {"title": "Un titre", "body": "Un texte."},
    "POST /api/v1/governance/proposals/{proposal_id}/comments": lambda w: {"body": "D'accord."},
    "POST /api/v1/governance/proposals/{proposal_id}/votes": lambda w: {"choice": "for"},
    "POST /api/v1/shops/{ref}/offers": lambda w: {
        "sku": "N1",
        "name_fr": "Brioche",
        "price": "3",
        "stock": "1",
    },
    "PATCH /api/v1/offers/{offer_id}": lambda w: {"price": "2,50"},
    "POST /api/v1/organisations/{ref}/products": lambda w: {
        "sku": "MORBIER",
        "name_fr": "Morbier",
        "price": "18",
    },
    "PATCH /api/v1/chain-products/{product_id}": lambda w: {"price": "25"},
    "POST /api/v1/organisations/{ref}/imports": lambda w: {
        "file": b"sku,name_fr,price\nBLEU,Bleu de Gex,20\n",
        "mode": "valid",
    },
    "POST /api/v1/shops/{ref}/imports": lambda w: {
        "file": b"sku,name_fr,price\nN2,Brioche,3\n",
        "mode": "valid",
    },
    "POST /api/v1/ledger/costs": lambda w: {"account": "6060", "amount_cents": 1200, "memo": "Ampoules"},
    "POST /api/v1/ledger/closings": lambda w: {"period": "2020-01"},
    "POST /api/v1/shops/{ref}/suppliers": lambda w: {"name": "Ferme des Granges", "postal_code": "25000"},
    "POST /api/v1/orders/{order_id}/payments": lambda w: {"amount_cents": 240, "method": "cash"},
    "POST /api/v1/orders/{order_id}/refunds": lambda w: {"amount_cents": 100, "method": "cash"},
    "POST /api/v1/me/erase": lambda w: {"password": "not the password", "confirm": "ERASE"},
    "POST /api/v1/cart/items": lambda w: {"offer_id": w.values["offer_id"], "quantity": 1},
    "PATCH /api/v1/cart/items/{offer_id}": lambda w: {"quantity": 2},
    "POST /api/v1/checkout": lambda w: {
        "email": "guest@example.org",
        "fulfilment": {"boulangerie": "collect"},
        "payment_method": "on_handover",
        "items": [{"offer_id": w.values["offer_id"], "quantity": 1}],
    },
}
# Form data for page POSTs whose refusal comes after reading the form.
ROUTE_FORMS: dict[str, Callable[[World], dict[str, Any]]] = {
    "orders:cart-add": lambda w: {"offer_id": w.values["offer_id"], "quantity": "1"},
    "orders:cart-update": lambda w: {"offer_id": w.values["offer_id"], "quantity": "0"},
    "delivery:move": lambda w: {"booking": w.values["booking_id"], "round": w.values["round_id"]},
}
API_PAGES = {"api:openapi-json", "api:openapi-view", "api:api-root"}  # URL patterns of the API that are pages


def fill(pattern: str, keys: tuple[str, ...], values: dict[str, str], world: World) -> str:
    def value(key: str) -> str:
        wanted = values.get(key, key)
        return (
            wanted[1:]
            if wanted.startswith("=")
            else str(world.values.get(wanted, ADMIN_VALUES.get(wanted, "1")))
        )

    text = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: value(m.group(1)), pattern)
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: value(m.group(1)), text)
    return "/" + text.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")


def api_path(path: str, world: World) -> str:
    values = API_VALUES.get(path, {})

    def value(m: re.Match[str]) -> str:
        wanted = values.get(m.group(1), m.group(1))
        return wanted[1:] if wanted.startswith("=") else str(world.values[wanted])

    return re.sub(r"\{(\w+)\}", value, path)


def outcome(response: Any) -> str:
    """The status; a redirect to a sign-in page by name; `302!` for a redirect carrying an error message."""
    if response.status_code in (301, 302, 303, 307, 308):
        location = response["Location"]
        if location.startswith("/connexion/"):
            return "login"
        if location.startswith("/admin/login/"):
            return "admin-login"
        queued = getattr(getattr(response.wsgi_request, "_messages", None), "_queued_messages", [])
        return "302!" if any(m.level >= messages_api.ERROR for m in queued) else "302"
    return str(response.status_code)


def personal_data(world: World) -> dict[str, set[str]]:
    """Every person's email, name and phone, and every order's and booking's contact, by owner role."""
    from comptoir.delivery.models import Booking
    from comptoir.orders.models import Order

    owners = {p.pk: role for role, p in world.people.items() if p is not None}
    found: dict[str, set[str]] = {}
    for person in Person.objects.all():
        found.setdefault(owners.get(person.pk, "nobody"), set()).update(
            v for v in (person.email, person.full_name, person.phone) if v
        )
    for order in Order.objects.all():
        found.setdefault(owners.get(order.customer_id, "nobody"), set()).update(
            v for v in (order.email, order.recipient_name, order.phone, order.address) if v
        )
    for remote in RemoteOrder.objects.all():
        found.setdefault(owners.get(remote.person_id, "nobody"), set()).update(
            v for v in remote.drop.values() if v
        )
    for booking in Booking.objects.all():
        found.setdefault("nobody", set()).update(
            v for v in (booking.name, booking.phone, booking.address) if v
        )
    return found


@dataclass(frozen=True)
class Probe:
    key: str  # the table's key
    method: str
    path: str
    api: bool = False
    body: Any = None  # JSON for the API, form data for pages, bytes for the protocol
    signed: bool = False  # the peer signs it (protocol endpoints)
    roles: tuple[str, ...] = ROLES


def probes(world: World) -> list[Probe]:
    found: list[Probe] = []
    people = ROLES[:-1]  # the peer has no session: on pages it is the anonymous visitor again
    for route in page_routes():
        key = route.name or route.pattern
        if route.name.startswith("api:") and route.name not in API_PAGES:
            continue  # an API operation: probed from the OpenAPI document below
        if key.startswith("admin:") or route.pattern.startswith("admin/"):
            # The admin's one gate (AdminSite.admin_view) is the same for every method: GET only.
            found.append(Probe(f"GET {key}", "GET", fill(route.pattern, route.keys, {}, world), roles=people))
            continue
        path = fill(route.pattern, route.keys, ROUTE_VALUES.get(route.name, {}), world)
        protocol = route.pattern.startswith(("beckn/", "gateway/", "registry/"))  # the wire, not pages
        body = route.name if protocol else ROUTE_FORMS.get(route.name, lambda w: {})(world)
        roles = ROLES if protocol else people
        found.append(Probe(f"GET {key}", "GET", path, signed=protocol, roles=roles))
        found.append(Probe(f"POST {key}", "POST", path, body=body, signed=protocol, roles=roles))
    for method, path in api_operations():
        make = API_BODIES.get(f"{method} {path}")
        body = make(world) if make else ({} if method in ("POST", "PUT", "PATCH") else None)
        found.append(Probe(f"api {method} {path}", method, api_path(path, world), api=True, body=body))
    return found


def beckn_request(world: World, route: str) -> bytes:
    from datetime import UTC, datetime

    action = "search" if route == "protocol:gateway" else "status"
    context = messages.request_context(
        action=action, domain="ONDC:RET10", city="std:0381", bap_id=world.peer.subscriber_id,
        bap_uri=f"https://{world.peer.subscriber_id}/beckn", bpp_id="comptoir.localhost",
        bpp_uri="http://127.0.0.1:8000/beckn", moment=datetime.now(UTC), transaction_id="t-matrix",
        message_id="m-matrix", ttl="PT30S",
    )  # fmt: skip
    if action == "search":
        return messages.encode(messages.envelope(context, intent={"fulfillment": {"type": "Delivery"}}))
    return messages.encode(messages.envelope(context, order_id="42"))


CLIENTS: dict[str, Client] = {}  # one per role: a new Client loads the middleware (WhiteNoise scans files)


def send(world: World, role: str, probe: Probe) -> Any:
    client = CLIENTS.setdefault(role, Client())
    client.cookies = SimpleCookie()
    headers: dict[str, str] = {}
    if probe.api:
        if role in world.tokens:
            headers["Authorization"] = f"Bearer {world.tokens[role]}"
    elif role in world.sessions:
        client.cookies = SimpleCookie({"sessionid": world.sessions[role]})
    kwargs: dict[str, Any] = {}
    if probe.signed and probe.method == "POST":
        body = beckn_request(world, probe.body)  # made now: a message lives 30 seconds
        kwargs = {"data": body, "content_type": "application/json"}
        if role == "peer":
            headers["Authorization"] = world.peer.headers(body)["HTTP_AUTHORIZATION"]
    elif probe.api and isinstance(probe.body, dict) and "file" in probe.body:
        kwargs = {"data": {**probe.body, "file": SimpleUploadedFile("c.csv", probe.body["file"], "text/csv")}}
    elif probe.api and probe.body is not None:
        kwargs = {"data": json.dumps(probe.body), "content_type": "application/json"}
    elif probe.method == "POST":
        kwargs = {"data": probe.body or {}}
    with transaction.atomic():
        response = getattr(client, probe.method.lower())(probe.path, headers=headers, **kwargs)
        transaction.set_rollback(True)
    return response


def run_matrix(world: World) -> tuple[dict[str, str], list[str]]:
    secrets = personal_data(world)
    table: dict[str, str] = {}
    leaks: list[str] = []
    for probe in probes(world):
        answers = []
        for role in ROLES:
            if role not in probe.roles:
                answers.append("-")
                continue
            response = send(world, role, probe)
            answer = outcome(response)
            if probe.key.startswith("GET admin") and role == "staff" and response.status_code < 500:
                answer = "ok"  # the admin's own per-model rules apply past its gate; object ids vary
            answers.append(answer)
            if answer in REFUSALS and not getattr(response, "streaming", False):
                body = response.content.decode(errors="replace")
                for owner, values in secrets.items():
                    if owner != role:
                        leaks += [f"{probe.key} as {role}: {v!r} ({owner}'s)" for v in values if v in body]
        table[probe.key] = " ".join(answers)
    return table, leaks


@pytest.fixture
def world(db: Any, settings: Any, tmp_path: Path) -> Any:
    world = build_world(settings, tmp_path)
    logging.disable(logging.WARNING)  # thousands of expected 403s and 404s
    try:
        yield world
    finally:
        logging.disable(logging.NOTSET)


def test_access_matrix(world: World) -> None:
    table, leaks = run_matrix(world)
    if os.environ.get("ACCESS_MATRIX_PRINT"):
        print("\nEXPECTED = {")
        for key, row in table.items():
            if not (key.startswith("GET admin") and row == ADMIN_ROW):
                print(f"    {key!r}: {row!r},")
        print("}")
    expected = {key: EXPECTED.get(key, ADMIN_ROW if key.startswith("GET admin") else "") for key in table}
    missing = sorted(key for key, row in expected.items() if not row)
    assert not missing, "routes missing from the table (add a reviewed row for each):\n" + "\n".join(missing)
    stale = sorted(set(EXPECTED) - set(table))
    assert not stale, "rows for routes that no longer exist:\n" + "\n".join(stale)
    wrong = [
        f"{key}\n   expected {expected[key]}\n   got      {row}"
        for key, row in table.items()
        if row != expected[key]
    ]
    assert not wrong, "\n".join(wrong)
    assert not leaks, "personal data in refused answers:\n" + "\n".join(leaks)
