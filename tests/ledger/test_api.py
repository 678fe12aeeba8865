"""The books through the API: the check and the chart are public, entries are staff's, a statement its shop's."""

from __future__ import annotations

from comptoir.members.services import do_add_membership, do_issue_api_token
from tests.conftest import PASSWORD, ApiClient
from tests.ledger.test_books import checkout


def test_books_api(resident, town, owner, owner_api, anon_api, make_person):
    order = checkout(resident, town)
    check = anon_api.call("get", "/ledger/check").json()
    assert check == {"EUR": {"balanced": True, "debits": 3541, "credits": 3541, "entries": 1}}
    balances = {b["code"]: b["balance"] for b in anon_api.call("get", "/ledger/balances").json()}
    assert balances == {"411": -3541, "4672": 3030, "706100": 51, "706200": 375, "44571": 85}
    assert {a["code"] for a in anon_api.call("get", "/ledger/accounts").json()} >= {
        "411",
        "4671",
        "512",
        "641",
    }
    assert owner_api.call("get", "/ledger/entries").status_code == 403
    staff = make_person("staff@example.org")
    do_add_membership(staff, "staff")
    staff_api = ApiClient(do_issue_api_token(email=staff.email, password=PASSWORD))
    [entry] = staff_api.call("get", f"/ledger/entries?order_id={order.pk}").json()
    assert entry["kind"] == "checkout" and sum(x["debit"] for x in entry["lines"]) == 3541
    from comptoir.orders.services import do_accept_shop_order

    do_accept_shop_order(order.shop_orders.get(shop__ref="boulangerie").pk, actor=owner)
    statement = owner_api.call("get", "/ledger/statements/shops/boulangerie").json()
    assert [(r["kind"], r["credit"], r["balance"]) for r in statement] == [("acceptance", 480, 480)]
    assert owner_api.call("get", "/ledger/statements/shops/fleurs").status_code == 403
    assert anon_api.call("get", "/ledger/statements/shops/boulangerie").status_code == 401
