"""Hostile-input probe: a running node on loopback must answer each attack with a 4xx, fast,
while a normal request loop keeps being served (issue 13, items 1, 2 and 7).

    .venv/bin/python bench/hostile_probe.py                    # starts its own node (gunicorn, 2 workers)
    .venv/bin/python bench/hostile_probe.py --url http://127.0.0.1:8000 --token T --shop REF --email E --password P

Without --url it makes a node in a temporary COMPTOIR_HOME (migrate, one shop, its owner, an
API token, one offer), serves it with gunicorn on 127.0.0.1 and stops it at the end.
A background thread requests a shop's offers every 50 ms during the whole probe; each hostile
request is sent once and timed. Prints one line per probe (expected status, status, time) and
the normal loop's latencies. Bounded: each request times out after --timeout seconds and the
whole run after --budget seconds. Figures only, never assertions.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PASSWORD = "probe-password-123"
SETUP = """
from comptoir.catalog.models import Shop
from comptoir.catalog.services import do_create_offer, do_create_shop
from comptoir.members.models import Person
from comptoir.members.services import do_issue_api_token
person = Person.objects.create_user("probe@example.org", "probe-password-123")
shop = do_create_shop(owner=person, ref="probe", name="Probe", lat=47.05, lon=6.0, status=Shop.Status.ACTIVE)
offer = do_create_offer(shop, {"sku": "P1", "name_fr": "Pain", "price": "2,40", "stock": "5"})
import json
print(json.dumps([do_issue_api_token(email="probe@example.org", password="probe-password-123"), offer.pk]))
"""


@dataclass
class Node:
    host: str
    port: int
    token: str
    shop: str
    offer_id: int
    email: str
    password: str
    timeout: float = 10.0


@dataclass
class Answer:
    name: str
    expected: str
    status: int | str
    seconds: float
    note: str = ""


@dataclass
class Loop:
    latencies_ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


# --- HTTP ------------------------------------------------------------------------------------------


def send(node: Node, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None,
         cookies: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:  # fmt: skip
    connection = http.client.HTTPConnection(node.host, node.port, timeout=node.timeout)
    headers = dict(headers or {})
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return response.status, data, {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()


def api(node: Node, method: str, path: str, payload: dict | None = None) -> tuple[int, bytes]:
    headers = {"Authorization": f"Bearer {node.token}"}
    body = None
    if payload is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(payload).encode()
    status, data, _headers = send(node, method, "/api/v1" + path, body, headers)
    return status, data


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content) in files.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                  "Content-Type: application/octet-stream\r\n\r\n".encode())  # fmt: skip
        out.write(content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


class Browser:
    """A signed-in session for the back-office forms (cookies and CSRF token by hand)."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.cookies: dict[str, str] = {}

    def _keep(self, headers: dict[str, str]) -> None:
        for name, value in re.findall(r"(csrftoken|sessionid)=([^;]+)", headers.get("set-cookie", "")):
            self.cookies[name] = value

    def get(self, path: str) -> tuple[int, bytes]:
        status, data, headers = send(self.node, "GET", path, cookies=self.cookies)
        self._keep(headers)
        return status, data

    def post(
        self,
        path: str,
        fields: dict[str, str],
        files: dict[str, tuple[str, bytes]] | None = None,
        form_page: str = "",
    ) -> int:
        _status, page = self.get(form_page or path)  # the page holding the form, for its CSRF token
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        fields = {**fields, "csrfmiddlewaretoken": token[1].decode() if token else ""}
        if files is not None:
            body, kind = multipart(fields, files)
        else:
            body, kind = urlencode(fields).encode(), "application/x-www-form-urlencoded"
        referer = f"http://{self.node.host}:{self.node.port}{path}"
        status, _data, headers = send(self.node, "POST", path, body, {"Content-Type": kind, "Referer": referer},
                                      self.cookies)  # fmt: skip
        self._keep(headers)
        return status

    def sign_in(self) -> None:
        self.post("/connexion/", {"username": self.node.email, "password": self.node.password})


# --- hostile files -----------------------------------------------------------------------------------


def xlsx_declaring(dimension: str) -> bytes:
    """A tiny valid XLSX whose sheet declares `dimension` (A1:XFD1048576: ~1.7e10 cells)."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["sku", "name_fr", "price"])
    book.active.append(["A", "Pain", 1])
    raw = io.BytesIO()
    book.save(raw)
    source = zipfile.ZipFile(io.BytesIO(raw.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(
                    rb'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"'.encode(), content
                )
            target.writestr(info.filename, content)
    return out.getvalue()


def zip_bomb_xlsx(megabytes: int = 1024) -> bytes:
    """An XLSX whose shared strings unzip to `megabytes` MB (a few hundred KB on the wire)."""
    base = zipfile.ZipFile(io.BytesIO(xlsx_declaring("A1:C2")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in base.infolist():
            target.writestr(info.filename, base.read(info))
        with target.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(megabytes):
                member.write(chunk)
    return out.getvalue()


# --- probes: issue 13 item 1 (numbers) and item 2 (import bombs) -------------------------------------------


def timed(name: str, expected: str, call: Callable[[], int | tuple[int, bytes]]) -> Answer:
    started = time.perf_counter()
    try:
        result = call()
        status: int | str = result[0] if isinstance(result, tuple) else result
        note = ""
        if isinstance(result, tuple):
            note = result[1][:120].decode("utf-8", "replace").replace("\n", " ")
    except (OSError, http.client.HTTPException) as error:
        status, note = type(error).__name__, str(error)[:120]
    return Answer(name, expected, status, time.perf_counter() - started, note)


def number_probes(node: Node, browser: Browser) -> list[Answer]:
    shop, offer = node.shop, node.offer_id
    form = {"sku": "P1", "name_fr": "Pain", "unit": "piece", "quantity": "1", "price": "2,40", "tax_rate": "5,5",
            "stock": "1e999999999", "weight_g": "Infinity", "volume_ml": "sNaN", "active": "on"}  # fmt: skip
    new_offer = {"sku": "X", "name_fr": "X", "price": "1", "stock": "1e999999999"}
    return [
        timed("API POST offer stock=1e999999999", "400", lambda: api(node, "POST", f"/shops/{shop}/offers", new_offer)),
        timed("API PATCH weight_g=Infinity", "400", lambda: api(node, "PATCH", f"/offers/{offer}", {"weight_g": "Infinity"})),
        timed("API PATCH tax_rate=sNaN", "400", lambda: api(node, "PATCH", f"/offers/{offer}", {"tax_rate": "sNaN"})),
        timed("API PATCH quantity=9e9999", "400", lambda: api(node, "PATCH", f"/offers/{offer}", {"quantity": "9e9999"})),
        timed("API PATCH 100k-digit stock", "422", lambda: api(node, "PATCH", f"/offers/{offer}", {"stock": "9" * 100_000})),
        timed("API PATCH sku of 5000 chars", "422", lambda: api(node, "PATCH", f"/offers/{offer}", {"sku": "x" * 5000})),
        timed("API offers offset=-1", "422", lambda: api(node, "GET", f"/shops/{shop}/offers?offset=-1")),
        timed("API offers limit=1e999999999", "422", lambda: api(node, "GET", f"/shops/{shop}/offers?limit=1e999999999")),
        timed("form: offer stock=1e999999999", "400", lambda: browser.post(f"/gestion/{shop}/offres/{offer}/", form)),
        timed("form: bulk stock=1e999999999", "422", lambda: browser.post(
            f"/gestion/{shop}/prix-stock/", {f"stock-{offer}": "1e999999999", f"was_stock-{offer}": "5"},
            form_page=f"/gestion/{shop}/")),
        timed("dashboard page=abc", "400", lambda: browser.get(f"/gestion/{shop}/?page=abc")),
        timed("dashboard page=1e999999999", "400", lambda: browser.get(f"/gestion/{shop}/?page=1e999999999")),
    ]  # fmt: skip


def import_probes(node: Node, browser: Browser, upload_limit: int) -> list[Answer]:
    shop = node.shop

    def api_upload(filename: str, content: bytes) -> tuple[int, bytes]:
        body, kind = multipart({"mode": "all"}, {"file": (filename, content)})
        headers = {"Authorization": f"Bearer {node.token}", "Content-Type": kind}
        status, data, _headers = send(node, "POST", f"/api/v1/shops/{shop}/imports", body, headers)
        return status, data

    def declared_oversize() -> tuple[int, bytes]:
        # Declares a body over the limit and sends only its first kilobyte: the node must answer
        # without waiting for (or reading) the rest.
        connection = http.client.HTTPConnection(node.host, node.port, timeout=node.timeout)
        try:
            connection.putrequest("POST", f"/api/v1/shops/{shop}/imports")
            connection.putheader("Authorization", f"Bearer {node.token}")
            connection.putheader("Content-Type", "multipart/form-data; boundary=x")
            connection.putheader("Content-Length", str(upload_limit * 4))
            connection.endheaders(b"--x\r\n" + b"a" * 1024)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    header = b"sku,name_fr,price,description_fr\n"
    declared = xlsx_declaring("A1:XFD1048576")
    bomb = zip_bomb_xlsx()
    answers = [
        timed(f"API XLSX declaring A1:XFD1048576 ({len(declared)} B)", "400", lambda: api_upload("c.xlsx", declared)),
        timed(f"API zip-bomb XLSX ({len(bomb) // 1024} KB -> 1 GB)", "400", lambda: api_upload("c.xlsx", bomb)),
        timed("API CSV field of 200,000 chars", "400",
              lambda: api_upload("c.csv", header + b'A,Pain,1,"' + b"x" * 200_000 + b'"\n')),
        timed("API CSV header of 1 MB", "400", lambda: api_upload("c.csv", b"sku," + b"x" * 1_000_000 + b"\n")),
        timed("API CSV of 2,000 columns", "400", lambda: api_upload("c.csv", header + b"A,Pain,1" + b",x" * 2000 + b"\n")),
        timed("API upload declaring 4x the limit", "413", declared_oversize),
        timed("form: XLSX declaring A1:XFD1048576", "400",
              lambda: browser.post(f"/gestion/{shop}/import/", {"mode": "all"}, {"file": ("c.xlsx", declared)})),
        timed("form: zip-bomb XLSX", "400",
              lambda: browser.post(f"/gestion/{shop}/import/", {"mode": "all"}, {"file": ("c.xlsx", bomb)})),
    ]  # fmt: skip
    return answers


# --- probes: issue 13 item 7 (anonymous checkout abuse) ----------------------------------------------------


def checkout_probes(node: Node, _browser: Browser, attempts: int = 6) -> list[Answer]:
    """Issue 13, item 7: anonymous checkout abuse (stock held for hours, mail sent to anyone).

    A fresh guest session (no sign-in) adds the offer to its cart and checks out for collection
    again and again, each time with a new idempotency key and a new email address. The node caps
    open unpaid guest orders (3 per session, email or address) and throttles attempts, so after
    the cap every checkout must be refused with 429; the first ones hold stock only for the short
    time before the guest confirms the emailed code. A quantity of 1e999999999 is refused as bad input.
    """
    guest = Browser(node)
    answers = [
        timed("guest cart quantity=1e999999999", "400", lambda: guest.post(
            "/panier/ajouter/", {"offer_id": str(node.offer_id), "quantity": "1e999999999"},
            form_page=f"/produits/{node.offer_id}/")),
    ]  # fmt: skip
    for attempt in range(1, attempts + 1):
        guest.post("/panier/ajouter/", {"offer_id": str(node.offer_id), "quantity": "1"},
                   form_page=f"/produits/{node.offer_id}/")  # fmt: skip
        form = {
            "email": f"hoarder+{attempt}@example.org", "language": "fr", f"fulfilment-{node.shop}": "collect",
            "payment_method": "on_handover", "idempotency_key": uuid.uuid4().hex,
        }  # fmt: skip
        expected = "302" if attempt <= 3 else "429"
        answers.append(timed(f"guest checkout #{attempt} (new email each time)", expected,
                             lambda form=form: guest.post("/commande/", form)))  # fmt: skip
    return answers


# --- the run ------------------------------------------------------------------------------------------------


def normal_loop(node: Node, stop: threading.Event, loop: Loop) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        try:
            status, _data, _headers = send(node, "GET", f"/api/v1/shops/{node.shop}/offers?limit=20")
            if status != 200:
                loop.failures.append(str(status))
        except (OSError, http.client.HTTPException) as error:
            loop.failures.append(type(error).__name__)
        loop.latencies_ms.append((time.perf_counter() - started) * 1000)
        stop.wait(0.05)


def start_node(port: int) -> tuple[Node, subprocess.Popen[bytes], Path]:
    home = Path(tempfile.mkdtemp(prefix="comptoir-probe-"))
    env = os.environ | {"COMPTOIR_HOME": str(home), "SECRET_KEY": "probe-" + uuid.uuid4().hex,
                        "ALLOWED_HOSTS": "127.0.0.1,localhost", "PYTHONPATH": str(ROOT / "src")}  # fmt: skip
    subprocess.run([str(BIN / "comptoir"), "migrate", "-v0"], env=env, check=True)
    made = subprocess.run([str(BIN / "comptoir"), "shell", "-c", SETUP], env=env, check=True, capture_output=True,
                          text=True)  # fmt: skip
    token, offer_id = json.loads(made.stdout.strip().splitlines()[-1])
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "comptoir.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "120",
         "--log-level", "warning"],
        env=env, cwd=home,
    )  # fmt: skip
    node = Node("127.0.0.1", port, token, "probe", offer_id, "probe@example.org", PASSWORD)
    for _ in range(100):
        try:
            if send(node, "GET", "/api/v1/shops")[0] == 200:
                break
        except OSError:
            time.sleep(0.1)
    return node, server, home


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="target a running node instead of starting one")
    parser.add_argument("--token", default="")
    parser.add_argument("--shop", default="probe")
    parser.add_argument("--offer", type=int, default=0, help="an offer id of --shop")
    parser.add_argument("--email", default="probe@example.org")
    parser.add_argument("--password", default=PASSWORD)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--budget", type=float, default=120.0, help="stop probing after this many seconds")
    parser.add_argument(
        "--upload-limit", type=int, default=21 * 1024 * 1024, help="the node's COMPTOIR_UPLOAD_MAX_BYTES"
    )
    args = parser.parse_args()

    server = None
    if args.url:
        parts = urlsplit(args.url)
        node = Node(parts.hostname or "127.0.0.1", parts.port or 80, args.token, args.shop, args.offer, args.email,
                    args.password, args.timeout)  # fmt: skip
    else:
        node, server, home = start_node(args.port)
        node.timeout = args.timeout
        print(f"node: gunicorn -w 2 on 127.0.0.1:{node.port}, COMPTOIR_HOME={home}")
    stop, loop = threading.Event(), Loop()
    baseline = Loop()
    try:
        browser = Browser(node)
        browser.sign_in()
        # The normal loop alone first, then under attack.
        for _ in range(40):
            started = time.perf_counter()
            send(node, "GET", f"/api/v1/shops/{node.shop}/offers?limit=20")
            baseline.latencies_ms.append((time.perf_counter() - started) * 1000)
        thread = threading.Thread(target=normal_loop, args=(node, stop, loop), daemon=True)
        thread.start()
        deadline = time.monotonic() + args.budget
        answers: list[Answer] = []
        for group in (lambda: number_probes(node, browser), lambda: import_probes(node, browser, args.upload_limit),
                      lambda: checkout_probes(node, browser)):  # fmt: skip
            if time.monotonic() > deadline:
                print("budget spent: later probes skipped")
                break
            answers.extend(group())
        stop.set()
        thread.join(timeout=args.timeout)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)

    print(f"\n{'probe':<52} {'expect':>6} {'got':>6} {'seconds':>8}  answer")
    for a in answers:
        mark = "ok" if str(a.status) == a.expected else "UNEXPECTED"
        print(f"{a.name:<52} {a.expected:>6} {a.status!s:>6} {a.seconds:8.3f}  {mark}  {a.note[:70]}")
    print()
    for name, sample in (("normal requests alone", baseline), ("normal requests during the probes", loop)):
        if len(sample.latencies_ms) >= 2:
            q = statistics.quantiles(sample.latencies_ms, n=100, method="inclusive")
            print(f"{name:<36} p50 {q[49]:7.1f} ms  p95 {q[94]:7.1f} ms  max {max(sample.latencies_ms):7.1f} ms"
                  f"  (n={len(sample.latencies_ms)}, failures={len(sample.failures)})")  # fmt: skip
    slowest = max(answers, key=lambda a: a.seconds, default=None)
    if slowest:
        print(f"slowest hostile answer: {slowest.seconds:.3f} s ({slowest.name})")


if __name__ == "__main__":
    main()
