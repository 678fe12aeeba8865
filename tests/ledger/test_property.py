"""Property: for any sequence of checkouts, acceptances, changes, cancellations, expiries, deliveries paid
at the door, rounds, payouts and closings through the real services, debits equal credits, every shop's
accounts hold exactly what it is owed, each resident owes their order's total less what the courier
collected, and a closed period leaves nothing on its income and expense accounts."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from comptoir.core.errors import InvalidInput
from comptoir.ledger import postings, selectors
from comptoir.ledger.models import Entry, Line
from comptoir.ledger.services import balance, do_close_period, do_post_payout, do_post_round
from comptoir.members.services import do_add_membership
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
    st.tuples(st.just("deliver"), st.integers(0, 20)),
    st.tuples(st.just("close")),
)


def _run(step_, town, resident, owner, state) -> bool:
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
    elif kind == "close":
        since = state["closed_until"] or timezone.now() - timedelta(days=1)
        until = timezone.now()
        do_close_period(actor=state["staff"], since=since, until=until, currency="EUR")
        state["closed_until"] = until
    elif kind == "expire":
        services.do_expire_shop_orders(timezone.now() + timedelta(days=30))
    elif pick is None:
        return False
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
    elif kind == "deliver":  # the shop accepts if it has not, the courier takes it and drops it
        if pick.status == S.PLACED:
            services.do_accept_shop_order(pick.pk, actor=owner)
        services.do_hand_over(pick.pk, to="courier", by="courier", actor=None)
        services.do_mark_delivered(pick.order_id, proof="code")
    elif kind in ("answer", "decline"):
        services.do_answer_changes(pick.pk, accept=kind == "answer", actor=resident)
    return True


def _check(state):
    for currency, totals in selectors.check().items():
        assert totals["balanced"], (currency, totals)
    for ref in ("boulangerie", "quincaillerie", "fleurs"):
        parts = ShopOrder.objects.filter(shop__ref=ref)
        owed = sum(so.goods_cents for so in parts if so.status in OWED) - state["paid"].get(ref, 0)
        pending = sum(so.goods_cents for so in parts if so.status in PENDING)
        assert balance(f"4671-{ref}", "EUR") == owed
        assert balance(f"4672-{ref}", "EUR") == pending
    collected = 0
    for order in Order.objects.all():
        owes = -sum(line.credit - line.debit for line in order_lines(order.pk, postings.CUSTOMERS))
        cash = sum(line.debit for line in order_lines(order.pk, postings.CASH))
        assert owes == order.total_cents - cash, order.pk
        if cash:  # collected at the door: everything the resident owed then, once
            assert order.payment_status == "paid" and order_lines(order.pk, postings.CASH).count() == 1
        collected += cash
    assert balance(postings.CASH, "EUR") == -collected
    if state["closed_until"] is not None:
        closed = Line.objects.filter(entry__occurred_at__lt=state["closed_until"],
                                     account__kind__in=(postings.INCOME, postings.EXPENSE))  # fmt: skip
        assert sum(x.credit - x.debit for x in closed) == 0
        results = sum(e.sources["result"] for e in Entry.objects.filter(kind="closing"))
        assert balance("1068", "EUR") + balance("110", "EUR") + balance("119", "EUR") == results


def order_lines(order_id, code):
    from comptoir.ledger.models import Line

    return Line.objects.filter(entry__order_id=order_id, account__code=code)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=12))
def test_books_balance_and_shops_are_owed_their_goods(steps, town, resident, owner, make_person):
    with transaction.atomic():
        staff = make_person("staff@example.org")
        do_add_membership(staff, "staff")
        state = {"rounds": 0, "payouts": 0, "paid": {}, "closed_until": None, "staff": staff}
        for one in steps:
            try:
                with transaction.atomic():
                    done = _run(one, town, resident, owner, state)
                if done:
                    event(
                        f"{one[0]} went through"
                    )  # --hypothesis-show-statistics: how often each step went through
            except InvalidInput:
                pass  # a refused step (out of stock, wrong status, payout above what is owed) changes nothing
            _check(state)
        transaction.set_rollback(True)
