"""Every page a person can reach stays within its budget, measured in a real browser (issue 19).

The demo town is loaded; for each role (anonymous, resident, shop staff, courier, dispatcher)
Chromium at phone size crawls the same-origin links from the home page (a bounded number of
pages, at most two per route: one shop page stands for the others) and measures each page:

- transferred bytes on a cold cache (≤ 100 KB) and after another page of the site (≤ 30 KB),
  from the Resource Timing API (`transferSize`: headers and encoded body, 0 when cached);
- DOM elements (≤ 400), requests (≤ 15), requests to another origin (none);
- the EcoIndex grade (A), from DOM elements, requests and kilobytes with the published
  formula and quantiles (`ecoindex-compute`).

The table of every page goes to test-results/budgets.md and .json; the test fails listing
every page over budget.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management import call_command
from django.urls import Resolver404, resolve
from django.utils import timezone

from comptoir.delivery.demo import generate_demo_delivery
from comptoir.demo.generator import DEMO_DOMAIN, DEMO_PASSWORD, demo_residents, generate_demo
from comptoir.demo.vocabulary import CENTRE, POSTAL_CODE, STREETS, TOWN
from comptoir.members.services import ensure_colleges
from comptoir.orders.demo import DemoTown, generate_demo_deliveries, generate_demo_orders
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

COLD_KB, WARM_KB, MAX_DOM, MAX_REQUESTS, GRADE = 100, 30, 400, 15, "A"
PAGES_PER_ROLE = 18
PER_ROUTE = 2
# Not pages: leaving the session, the admin (staff tooling, not part of the budgets), files.
SKIP = ("/deconnexion/", "/admin/", "/api/", "/static/", "/media/", "export.", "/logout")
ROLES = {
    "anonymous": None,
    "resident": f"habitant1@{DEMO_DOMAIN}",
    "shop staff": f"boulangerie-du-pont@{DEMO_DOMAIN}",
    "courier": f"coursier1@{DEMO_DOMAIN}",
    "dispatcher": f"coop@{DEMO_DOMAIN}",
}
# Pages a form leads to, which no link reaches: the search (a GET form), grouped as the page asks.
SEEDS = ["/recherche/?q=pain&group=1", "/recherche/?q=farine+de+ble&sort=price"]
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
MEASURE = """() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const resources = performance.getEntriesByType('resource');
    const bytes = (nav ? nav.transferSize : 0) + resources.reduce((s, r) => s + r.transferSize, 0);
    return {
        bytes,
        dom: document.getElementsByTagName('*').length,
        links: Array.from(document.querySelectorAll('a[href]:not([download])'), a => a.href),
    };
}"""


def _governance_pages() -> list[str]:
    """A decided proposal (its tally is the longest governance page) and the new-proposal form."""
    from comptoir.governance import services as governance
    from comptoir.members.models import Membership

    start = timezone.now() - timedelta(days=20)
    voting = Membership.objects.filter(college__code__in=["shops", "workers", "residents"])
    voting.update(since=start.date() - timedelta(days=1))  # members before the vote opened
    voters = list({m.person_id: m.person for m in voting.select_related("person").order_by("pk")}.values())
    proposal = governance.do_draft_proposal(
        author=voters[0], title="Contribution coopérative à 1,8 %", body="Pour les vélos.",
        changes={"coop_fee_percent": "1.8"}, applies_from=timezone.now() + timedelta(days=5), now=start,
    )  # fmt: skip
    governance.do_open_discussion(actor=voters[0], proposal_id=proposal.pk, now=start)
    governance.tick(start + timedelta(days=7, minutes=1))
    for i, person in enumerate(voters):
        governance.do_vote(voter=person, proposal_id=proposal.pk, choice=("for", "against")[i % 2],
                           now=start + timedelta(days=8))  # fmt: skip
    governance.tick(start + timedelta(days=15))
    return [f"/gouvernance/propositions/{proposal.pk}/", "/gouvernance/propositions/nouvelle/"]


@pytest.fixture
def town(transactional_db: Any, settings: Any, tmp_path: Path) -> list[str]:
    ensure_colleges()  # another transactional test may have flushed them
    settings.COMPTOIR_SEARCH_DIR = tmp_path / "search"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    generate_demo(seed=7, shops=10, offers=900, residents=6, couriers=2)  # ~90 offers a shop
    generate_demo_delivery(7)
    residents = demo_residents()
    generate_demo_orders(7, residents, count=30)
    generate_demo_deliveries(7, residents, DemoTown(STREETS, POSTAL_CODE, TOWN, CENTRE), count=8)
    call_command("search-rebuild", verbosity=0)
    return _governance_pages()


def _route(url: str) -> str | None:
    """The route a URL belongs to (None: not a page of this node to measure)."""
    path = urlsplit(url).path
    if any(part in url for part in SKIP):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return f"{match.view_name}{'?' if urlsplit(url).query else ''}"


def _ecoindex(dom: int, kilobytes: float, requests: int) -> tuple[float, str]:
    """The published EcoIndex: score from the quantiles of DOM size, requests and kilobytes
    (weights 3, 2, 1), then the grade's threshold (`ecoindex-compute`, the reference code)."""
    from ecoindex.compute.ecoindex import get_grade, get_score

    async def both() -> tuple[float, str]:
        score = await get_score(dom=dom, size=kilobytes, requests=requests)
        return score, await get_grade(score)

    # The package is asynchronous; Playwright's own loop runs in this thread.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, both()).result()


class Meter:
    """One role's browser context: loads pages cold and warm and records what they cost."""

    def __init__(self, context: Any, origin: str) -> None:
        self.page = context.new_page()
        self.page.set_default_timeout(20_000)
        self.cdp = context.new_cdp_session(self.page)
        self.origin = origin
        self.requests: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))

    def load(self, url: str, cold: bool) -> tuple[dict[str, Any], list[str], str]:
        if cold:
            self.cdp.send("Network.clearBrowserCache")
        self.requests = []
        response = self.page.goto(url, wait_until="load")
        kind = (response.headers.get("content-type", "") if response else "").split(";")[0]
        return self.page.evaluate(MEASURE), list(self.requests), kind


def _crawl(meter: Meter, role: str, home: str, seeds: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    queue, queued, per_route = deque([home, *seeds]), {home, *seeds}, {}  # type: ignore[var-annotated]
    while queue and len(rows) < PAGES_PER_ROLE:
        url = queue.popleft()
        route = _route(url)
        if route is None or per_route.get(route, 0) >= PER_ROUTE:
            continue
        cold, requests, kind = meter.load(url, cold=True)
        if kind != "text/html" or not meter.page.url.startswith(meter.origin):
            continue
        if _route(meter.page.url) != route:  # redirected (sign-in, a form's next step): another page
            continue
        per_route[route] = per_route.get(route, 0) + 1
        meter.load(home, cold=False)
        warm, _, _ = meter.load(url, cold=False)
        third_party = sorted(
            {r for r in requests if not r.startswith(meter.origin) and not r.startswith("data:")}
        )
        kb = cold["bytes"] / 1024
        score, grade = _ecoindex(cold["dom"], kb, len(requests))
        rows.append({
            "role": role, "path": url.removeprefix(meter.origin), "cold_kb": round(kb, 1),
            "warm_kb": round(warm["bytes"] / 1024, 1), "dom": cold["dom"], "requests": len(requests),
            "third_party": third_party, "ecoindex": score, "grade": grade,
        })  # fmt: skip
        for link in cold["links"]:
            link = urldefrag(link).url
            if link.startswith(meter.origin) and link not in queued:
                queued.add(link)
                queue.append(link)
    return rows


def _over(row: dict[str, Any]) -> list[str]:
    checks = [
        (row["cold_kb"] > COLD_KB, f"{row['cold_kb']} KB cold > {COLD_KB}"),
        (row["warm_kb"] > WARM_KB, f"{row['warm_kb']} KB warm > {WARM_KB}"),
        (row["dom"] > MAX_DOM, f"{row['dom']} DOM elements > {MAX_DOM}"),
        (row["requests"] > MAX_REQUESTS, f"{row['requests']} requests > {MAX_REQUESTS}"),
        (bool(row["third_party"]), f"third-party requests {row['third_party']}"),
        (row["grade"] != GRADE, f"EcoIndex {row['grade']} ({row['ecoindex']:.0f})"),
    ]
    return [message for failed, message in checks if failed]


def _write_table(rows: list[dict[str, Any]]) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "budgets.json").write_text(json.dumps(rows, indent=1, ensure_ascii=False))
    lines = [
        f"Budgets: cold ≤ {COLD_KB} KB, warm ≤ {WARM_KB} KB, DOM ≤ {MAX_DOM}, requests ≤ {MAX_REQUESTS}, "
        f"no third party, EcoIndex {GRADE} (Chromium, 390×844, demo town)\n",
        "| role | page | cold KB | warm KB | DOM | requests | EcoIndex | over budget |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['role']} | `{r['path']}` | {r['cold_kb']} | {r['warm_kb']} | {r['dom']} | {r['requests']} "
        f"| {r['grade']} ({r['ecoindex']:.0f}) | {'; '.join(_over(r)) or '—'} |"
        for r in rows
    ]
    (RESULTS / "budgets.md").write_text("\n".join(lines) + "\n")


def test_every_reachable_page_within_budget(
    browser: Any, live_server: Any, town: list[str], monkeypatch: Any
) -> None:
    # The test server answers static files itself, before the middleware; in production they
    # go through the app (WhiteNoise, then GZip). Measure what production sends.
    monkeypatch.setattr(StaticFilesHandler, "_should_handle", lambda self, path: False)
    rows: list[dict[str, Any]] = []
    for role, email in ROLES.items():
        context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
        meter = Meter(context, live_server.url)
        if email is not None:
            meter.page.base_url = live_server.url  # type: ignore[attr-defined]
            sign_in(meter.page, email, DEMO_PASSWORD)
        rows += _crawl(meter, role, live_server.url + "/", [live_server.url + p for p in SEEDS + town])
        context.close()
    _write_table(rows)
    assert {r["role"] for r in rows} == set(ROLES)
    assert len(rows) >= 20  # the crawl reached the town's pages, not only the home page
    over = [f"{r['role']} {r['path']}: {', '.join(_over(r))}" for r in rows if _over(r)]
    assert not over, "pages over budget (test-results/budgets.md):\n" + "\n".join(over)
