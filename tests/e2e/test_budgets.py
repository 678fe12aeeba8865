"""Every page a person can reach stays within its budget, measured in a real browser (issue 19).

The demo town is loaded; for each role (anonymous, resident, shop staff, courier, dispatcher)
Chromium at phone size crawls the same-origin links from the home page (a bounded number of
pages, at most two per route: one shop page stands for the others) and measures each page:

- transferred bytes on a cold cache (≤ 100 KB) and after another page of the site (≤ 30 KB),
  from the Resource Timing API (`transferSize`: headers and encoded body, 0 when cached);
- DOM elements (≤ 400), requests (≤ 15), requests to another origin (none);
- the EcoIndex grade (A), from DOM elements, requests and kilobytes with the published
  formula and quantiles (`ecoindex-compute`).

The same crawl checks what else every page owes a person (issues 19 and 20):

- nothing scrolls sideways at 390 px nor at 320 px (`scrollWidth <= innerWidth`), the widest
  elements named when it does; a full-page screenshot at 320 px of each page;
- axe-core (shipped by the `axe-playwright-python` package, MPL-2.0) finds no serious or
  critical violation of WCAG 2.1 A/AA nor of its best practices;
- dark mode follows the system: the page's background changes under `prefers-color-scheme:
  dark` (a screenshot of each page in dark mode);
- French typography on French pages, and no French left on English pages (two English roles).

The table of every page goes to test-results/budgets.md and .json, screenshots to
test-results/pages/; each test fails listing every page at fault.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management import call_command
from django.test import override_settings
from django.urls import Resolver404, resolve
from django.utils import timezone

from comptoir.delivery.demo import generate_demo_delivery
from comptoir.demo.generator import DEMO_DOMAIN, DEMO_PASSWORD, demo_residents, generate_demo
from comptoir.demo.vocabulary import CENTRE, POSTAL_CODE, STREETS, TOWN
from comptoir.members.services import ensure_colleges
from comptoir.orders.demo import DemoTown, generate_demo_deliveries, generate_demo_orders
from tests.e2e.conftest import sign_in

COLD_KB, WARM_KB, MAX_DOM, MAX_REQUESTS, GRADE = 100, 30, 400, 15, "A"
PAGES_PER_ROLE = 18
PER_ROUTE = 2
WIDTHS = (390, 320)  # a common phone, and the narrowest one still sold
# Not pages: leaving the session, the admin (staff tooling, not part of the budgets), files.
SKIP = ("/deconnexion/", "/admin/", "/api/", "/static/", "/media/", "export.", "/logout")
# role: (who signs in, the language they chose)
ROLES: dict[str, tuple[str | None, str]] = {
    "anonymous": (None, "fr"),
    "resident": (f"habitant1@{DEMO_DOMAIN}", "fr"),
    "shop staff": (f"boulangerie-du-pont@{DEMO_DOMAIN}", "fr"),
    "courier": (f"coursier1@{DEMO_DOMAIN}", "fr"),
    "dispatcher": (f"coop@{DEMO_DOMAIN}", "fr"),
    "resident (en)": (f"habitant1@{DEMO_DOMAIN}", "en"),
    "shop staff (en)": (f"boulangerie-du-pont@{DEMO_DOMAIN}", "en"),
}
# Pages a form leads to, which no link reaches: the search (a GET form), grouped as the page asks.
SEEDS = ["/recherche/?q=pain&group=1", "/recherche/?q=farine+de+ble&sort=price"]
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
SHOTS = RESULTS / "pages"
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
# How wide the page is, and the innermost elements that stick out of the window (to name them).
OVERFLOW = """() => {
    const width = window.innerWidth;
    const wide = Array.from(document.body.querySelectorAll('*')).filter(e => {
        const box = e.getBoundingClientRect();
        // a wide table scrolls in its box, but its caption must stay readable on the screen
        return box.right > width + 0.5 && (!e.closest('.scroll') || e.tagName === 'CAPTION');
    });
    const innermost = wide.filter(e => !wide.some(o => o !== e && e.contains(o)));
    const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
        + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '')
        + ' (' + Math.round(e.getBoundingClientRect().right) + 'px)';
    return {scroll: document.documentElement.scrollWidth, width, culprits: innermost.slice(0, 4).map(name)};
}"""
BACKGROUND = "() => getComputedStyle(document.body).backgroundColor"
# Every word a person can read, "why this result?" and other folded details included.
TEXT = """() => {
    document.querySelectorAll('details').forEach(d => { d.open = true; });
    return document.body.innerText;
}"""
# What French and English pages must not contain (issue 20 item 16); the shops' own product names
# are French on English pages, so English pages are checked for the interface's French only.
DAYS_MONTHS = (
    "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|June|July|"
    "August|September|October|November|December"
)
FRENCH_FAULTS = [
    (re.compile(r"\S [:;!?»%]"), "a plain space before : ; ! ? » or % (a no-break space is due)"),
    (re.compile(r"«[^\u00a0\u202f]"), "« without a no-break space"),
    (re.compile(r"(?<![\w.])\d+\.\d+(?![\w.])"), "a decimal point"),
    (re.compile(rf"\b(?:{DAYS_MONTHS})\b"), "an English day or month"),
    (
        re.compile(r"(?<=[a-zé,] )(?:Lundi|Mardi|Mercredi|Jeudi|Vendredi|Samedi|Dimanche)\b"),
        "a capital weekday",
    ),
    (re.compile(r"\b(?:founding default|price:|Goods from|You pay|Total:)"), "English words"),
]
ENGLISH_FAULTS = [
    (re.compile(r"(?<![\w,])\d+,\d{1,2}(?![\d,])"), "a decimal comma"),
    (re.compile(r"\S[\u00a0\u202f ][;:!?](?=\s)"), "French spacing before : ; ! ?"),
    (re.compile(r"\d[\u00a0 ]€"), "French money"),
    (
        re.compile(
            r"\b(?:Vous|Votre|paierez|Marchandises|Créneau|Livraison le|Contribution coopérative|Véhicule|"
            r"Temps de coursier|adoptée)\b"
        ),
        "French words",
    ),
]
AXE_RUN = """async () => {
    const result = await axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
        resultTypes: ['violations'],
    });
    return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
    }));
}"""
AXE_CONTRAST = """async () => {
    const result = await axe.run(document, {runOnly: ['color-contrast'], resultTypes: ['violations']});
    return result.violations.map(v => ({
        id: v.id + ' (dark)', impact: v.impact, help: v.help,
        targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
    }));
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
        author=voters[0], title="Moins cher pour les vélos", body="Pour les vélos.",
        changes={"coop_fee_percent": "1.8"}, applies_from=timezone.now() + timedelta(days=5), now=start,
    )  # fmt: skip
    governance.do_open_discussion(actor=voters[0], proposal_id=proposal.pk, now=start)
    governance.tick(start + timedelta(days=7, minutes=1))
    for i, person in enumerate(voters):
        governance.do_vote(voter=person, proposal_id=proposal.pk, choice=("for", "against")[i % 2],
                           now=start + timedelta(days=8))  # fmt: skip
    governance.tick(start + timedelta(days=15))
    return [f"/gouvernance/propositions/{proposal.pk}/", "/gouvernance/propositions/nouvelle/"]


def _axe_source() -> str:
    """axe-core as the axe-playwright-python package ships it (MPL-2.0), never committed here."""
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


def _town(search_dir: Path) -> list[str]:
    ensure_colleges()  # another transactional test may have flushed them
    with override_settings(COMPTOIR_SEARCH_DIR=search_dir):
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


def _slug(role: str, path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", f"{role} {path}".lower()).strip("-")[:90]


def _inspect(page: Any, role: str, path: str, axe: str) -> dict[str, Any]:
    """What else the loaded page owes a person: widths, accessibility, dark mode, its text."""
    slug = _slug(role, path)
    found: dict[str, Any] = {"overflow": {}}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 844})
        box = page.evaluate(OVERFLOW)
        if box["scroll"] > box["width"] or any(c.startswith("caption") for c in box["culprits"]):
            found["overflow"][width] = box  # a clipped caption counts: it is cut off in its scroll box
        if width == 320:
            page.screenshot(path=str(SHOTS / "320" / f"{slug}.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.evaluate(axe)
    found["axe"] = page.evaluate(AXE_RUN)
    found["light"] = page.evaluate(BACKGROUND)
    found["lang"] = page.evaluate("() => document.documentElement.lang")
    page.emulate_media(color_scheme="dark")
    found["dark"] = page.evaluate(BACKGROUND)
    found["axe"] += page.evaluate(AXE_CONTRAST)
    page.screenshot(path=str(SHOTS / "dark" / f"{slug}.png"))
    page.emulate_media(color_scheme="light")
    found["text"] = page.evaluate(TEXT)
    return found


def _crawl(
    meter: Meter, role: str, home: str, seeds: list[str], measured: dict[str, int], axe: str
) -> list[dict[str, Any]]:
    """Measure up to PAGES_PER_ROLE pages reachable from the home page. `measured` counts the
    pages of each route measured so far by every role of the same language: a route measured
    PER_ROUTE times is only followed (its links), so each role reaches pages of its own."""
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
        for link in cold["links"]:
            link = urldefrag(link).url
            if link.startswith(meter.origin) and link not in queued:
                queued.add(link)
                queue.append(link)
        if measured.get(route, 0) >= PER_ROUTE:
            continue
        measured[route] = measured.get(route, 0) + 1
        meter.load(home, cold=False)
        warm, _, _ = meter.load(url, cold=False)
        third_party = sorted(
            {r for r in requests if not r.startswith(meter.origin) and not r.startswith("data:")}
        )
        kb = cold["bytes"] / 1024
        score, grade = _ecoindex(cold["dom"], kb, len(requests))
        path = url.removeprefix(meter.origin)
        rows.append({
            "role": role, "path": path, "cold_kb": round(kb, 1),
            "warm_kb": round(warm["bytes"] / 1024, 1), "dom": cold["dom"], "requests": len(requests),
            "third_party": third_party, "ecoindex": score, "grade": grade,
            **_inspect(meter.page, role, path, axe),
        })  # fmt: skip
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
        f"no third party, EcoIndex {GRADE} (Chromium, 390×844, demo town); sideways scroll at "
        f"{' and '.join(f'{w} px' for w in WIDTHS)}; serious or critical axe-core violations\n",
        "| role | page | cold KB | warm KB | DOM | requests | EcoIndex | over budget | scrolls sideways | axe |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['role']} | `{r['path']}` | {r['cold_kb']} | {r['warm_kb']} | {r['dom']} | {r['requests']} "
        f"| {r['grade']} ({r['ecoindex']:.0f}) | {'; '.join(_over(r)) or '—'} "
        f"| {', '.join(f'{w}: {b["scroll"]} px' for w, b in r['overflow'].items()) or '—'} "
        f"| {', '.join(v['id'] for v in r['axe']) or '—'} |"
        for r in rows
    ]
    (RESULTS / "budgets.md").write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def crawl(
    browser: Any, live_server: Any, django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[list[dict[str, Any]]]:
    """Every role's crawl of the demo town, once for all the tests of this module."""
    for folder in ("320", "dark"):
        (SHOTS / folder).mkdir(parents=True, exist_ok=True)
    axe = _axe_source()
    tasks = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    search_dir = tmp_path_factory.mktemp("search")
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        # The test server answers static files itself, before the middleware; in production
        # they go through the app (WhiteNoise, then GZip). Measure what production sends.
        patch.setattr(StaticFilesHandler, "_should_handle", lambda self, path: False)
        try:
            with override_settings(TASKS=tasks, COMPTOIR_SEARCH_DIR=search_dir):
                pages = _town(search_dir)
                rows: list[dict[str, Any]] = []
                measured: dict[str, dict[str, int]] = {"fr": {}, "en": {}}
                for role, (email, language) in ROLES.items():
                    context = browser.new_context(
                        locale="fr-FR", viewport={"width": 390, "height": 844}, bypass_csp=True
                    )  # axe-core is injected as a script: the node's CSP would refuse it
                    meter = Meter(context, live_server.url)
                    if email is not None:
                        meter.page.base_url = live_server.url  # type: ignore[attr-defined]
                        sign_in(meter.page, email, DEMO_PASSWORD)
                    context.add_cookies([{
                        "name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url,
                    }])  # fmt: skip
                    home, seeds = live_server.url + "/", [live_server.url + p for p in SEEDS + pages]
                    rows += [
                        {**row, "language": language}
                        for row in _crawl(meter, role, home, seeds, measured[language], axe)
                    ]
                    context.close()
            _write_table(rows)
            yield rows
        finally:
            call_command("flush", interactive=False, verbosity=0)


def test_every_reachable_page_within_budget(crawl: list[dict[str, Any]]) -> None:
    assert {r["role"] for r in crawl} == set(ROLES)
    assert len(crawl) >= 20  # the crawl reached the town's pages, not only the home page
    over = [f"{r['role']} {r['path']}: {', '.join(_over(r))}" for r in crawl if _over(r)]
    assert not over, "pages over budget (test-results/budgets.md):\n" + "\n".join(over)


def test_no_page_scrolls_sideways_from_320_px(crawl: list[dict[str, Any]]) -> None:
    """Issue 20 item 8: at 390 and 320 px the page is never wider than the window."""
    wide = [
        f"{r['role']} {r['path']} at {w} px: {b['scroll']} px wide, {'; '.join(b['culprits'])}"
        for r in crawl
        for w, b in r["overflow"].items()
    ]
    assert not wide, "pages wider than the window (screenshots in test-results/pages/320):\n" + "\n".join(
        wide
    )


def test_no_serious_accessibility_violation(crawl: list[dict[str, Any]]) -> None:
    """Issue 19 item 3: axe-core, WCAG 2.1 A/AA and best practices, light and dark."""
    found = [
        f"{r['role']} {r['path']}: {v['impact']} {v['id']} ({v['help']}) at {', '.join(v['targets'])}"
        for r in crawl
        for v in r["axe"]
    ]
    assert not found, "accessibility violations:\n" + "\n".join(found)
    assert {r["lang"] for r in crawl} == {"fr", "en"}


def test_dark_mode_follows_the_system(crawl: list[dict[str, Any]]) -> None:
    """Issue 19 item 4: under prefers-color-scheme: dark every page's background is dark."""
    assert {(r["light"], r["dark"]) for r in crawl} == {("rgb(251, 250, 245)", "rgb(27, 26, 23)")}


def test_each_language_is_written_as_it_is_written(crawl: list[dict[str, Any]]) -> None:
    """Issue 20 item 16: French typography on French pages; no French on English pages."""
    faults = []
    for row in crawl:
        for pattern, why in FRENCH_FAULTS if row["language"] == "fr" else ENGLISH_FAULTS:
            for match in pattern.finditer(row["text"]):
                context = row["text"][max(0, match.start() - 25) : match.end() + 10].replace("\n", " ")
                faults.append(f"{row['role']} {row['path']}: {why}: «{context}»")
    assert not faults, f"{len(faults)} typography faults:\n" + "\n".join(sorted(set(faults)))
