"""Property: for any sequence of checkouts, acceptances, changes, cancellations, expiries, rounds and payouts
through the real services, debits equal credits and every shop's accounts hold exactly what it is owed."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.core.errors import InvalidInput
from comptoir.ledger import postings, selectors
from comptoir.ledger.services import balance, do_post_payout, do_post_round
from comptoir.orders import services
from comptoir.orders.models import Order, ShopOrder
from tests.orders.conftest import delivery_body, first_slot

S = ShopOrder.Status
OWED = {S.ACCEPTED, S.PREPARED, S.HANDED_OVER, S.COMPLETED}
PENDING = {S.PLACED, S.CHANGES}

step = st.one_of(
    st.tuples(
        st.just("checkout"),
        st.lists(st.sampled_from(["bread", "hammer", "roses", "cake"]), min_size=1, max_size=4),
        st.sampled_from(["collect", "delivery"]),
    ),
    st.tuples(
        st.sampled_from(["accept", "reject", "cancel_customer", "cancel_shop", "prepare", "decline"]),
        st.integers(0, 20),
    ),
    st.tuples(st.just("propose"), st.integers(0, 20), st.integers(0, 3)),
    st.tuples(st.just("answer"), st.integers(0, 20)),
    st.tuples(st.just("expire")),
    st.tuples(st.just("round"), st.integers(0, 5000), st.integers(0, 2000)),
    st.tuples(
        st.just("payout"), st.sampled_from(["boulangerie", "quincaillerie", "fleurs"]), st.integers(1, 3000)
    ),
)


def _run(step_, town, resident, owner, state):
    kind = step_[0]
    shop_orders = list(ShopOrder.objects.order_by("pk"))
    index = step_[1] if len(step_) > 1 and isinstance(step_[1], int) else None
    pick = shop_orders[index % len(shop_orders)] if shop_orders and index is not None else None
    if kind == "checkout":
        items = {}
        for name in step_[1]:
            items[town[name].pk] = items.get(town[name].pk, 0) + 1
        how = {"boulangerie": step_[2], "quincaillerie": step_[2], "fleurs": "collect"}
        request = services.CheckoutRequest(
            **delivery_body(first_slot()), fulfilment=how, items=list(items.items())
        )
        services.do_checkout(resident, None, request)
    elif kind == "round":
        state["rounds"] += 1
        do_post_round(
            postings.RoundPosting(state["rounds"], owner.pk, "C", step_[1], step_[2], "EUR"),
            at=timezone.now(),
        )
    elif kind == "payout":
        state["payouts"] += 1
        do_post_payout(
            account_code=f"4671-{step_[1]}",
            amount_cents=step_[2],
            currency="EUR",
            at=timezone.now(),
            payout_id=state["payouts"],
            reference="P",
        )
        state["paid"][step_[1]] = state["paid"].get(step_[1], 0) + step_[2]
    elif kind == "expire":
        services.do_expire_shop_orders(timezone.now() + timedelta(days=30))
    elif pick is None:
        return
    elif kind == "accept":
        services.do_accept_shop_order(pick.pk, actor=owner)
    elif kind == "reject":
        services.do_reject_shop_order(pick.pk, actor=owner, reason="no")
    elif kind in ("cancel_customer", "cancel_shop"):
        services.do_cancel_shop_order(pick.pk, by=kind.removeprefix("cancel_"), actor=owner)
    elif kind == "prepare":
        services.do_prepare_shop_order(pick.pk, actor=owner)
    elif kind == "propose":
        line = pick.lines.first()
        if line is not None:
            services.do_propose_changes(
                pick.pk, actor=owner, quantities={line.pk: min(step_[2], line.quantity)}
            )
    elif kind in ("answer", "decline"):
        services.do_answer_changes(pick.pk, accept=kind == "answer", actor=resident)


def _check(state):
    for currency, totals in selectors.check().items():
        assert totals["balanced"], (currency, totals)
    for ref in ("boulangerie", "quincaillerie", "fleurs"):
        parts = ShopOrder.objects.filter(shop__ref=ref)
        owed = sum(so.goods_cents for so in parts if so.status in OWED) - state["paid"].get(ref, 0)
        pending = sum(so.goods_cents for so in parts if so.status in PENDING)
        assert balance(f"4671-{ref}", "EUR") == owed
        assert balance(f"4672-{ref}", "EUR") == pending
    for order in Order.objects.all():
        owes = -sum(line.credit - line.debit for line in order_lines(order.pk, postings.CUSTOMERS))
        assert owes == order.total_cents, order.pk


def order_lines(order_id, code):
    from comptoir.ledger.models import Line

    return Line.objects.filter(entry__order_id=order_id, account__code=code)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=12))
def test_books_balance_and_shops_are_owed_their_goods(steps, town, resident, owner):
    with transaction.atomic():
        state = {"rounds": 0, "payouts": 0, "paid": {}}
        for one in steps:
            try:
                with transaction.atomic():
                    _run(one, town, resident, owner, state)
            except InvalidInput:
                pass  # a refused step (out of stock, wrong status, payout above what is owed) changes nothing
            _check(state)
        transaction.set_rollback(True)
