"""Issue 13 item 7 probe: an anonymous script tries to hoard a shop's stock through guest checkout.

    .venv/bin/python bench/checkout_probe.py --url http://127.0.0.1:8000 --offer OFFER_ID --shop SHOP_REF
        [--attempts 40] [--timeout 5]

Against a running node on loopback (collect must be offered by the shop). One browser-like session
(cookies, CSRF) adds the offer to its cart and checks out as a guest again and again with a fresh
idempotency key and a new email each time; the node must stop it with 429 (too many open guest
orders, then too many attempts) long before the shop's stock is gone. Prints one line per request
(status, time) and a summary. Figures only: nothing is asserted. Bounded: --attempts requests,
each with --timeout seconds.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--offer", type=int, required=True)
    parser.add_argument("--shop", required=True, help="the offer's shop ref (for the fulfilment choice)")
    parser.add_argument("--attempts", type=int, default=40)
    parser.add_argument("--timeout", type=float, default=5.0)
    args = parser.parse_args()
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def send(path: str, form: dict[str, str] | None = None) -> tuple[int, str, float]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(args.url + path, data=data, headers={"Referer": args.url + path})
        started = time.perf_counter()
        try:
            with opener.open(request, timeout=args.timeout) as response:
                body, status = response.read().decode("utf-8", "replace"), response.status
        except urllib.error.HTTPError as error:
            body, status = error.read().decode("utf-8", "replace"), error.code
        return status, body, time.perf_counter() - started

    def csrf(body: str) -> str:
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        return found.group(1) if found else ""

    statuses: dict[int, int] = {}
    first_refusal = None
    for attempt in range(1, args.attempts + 1):
        _status, page, _t = send(f"/produits/{args.offer}/")
        send(
            "/panier/ajouter/",
            {"csrfmiddlewaretoken": csrf(page), "offer_id": str(args.offer), "quantity": "1"},
        )
        _status, page, _t = send("/commande/")
        form = {
            "csrfmiddlewaretoken": csrf(page), "email": f"hoarder+{attempt}@example.org", "language": "fr",
            f"fulfilment-{args.shop}": "collect", "payment_method": "on_handover",
            "idempotency_key": uuid.uuid4().hex,
        }  # fmt: skip
        status, body, seconds = send("/commande/", form)
        refused = status in {400, 429} or "Trop de commandes" in body or "commandes en attente" in body
        statuses[status] = statuses.get(status, 0) + 1
        if refused and first_refusal is None:
            first_refusal = attempt
        print(
            f"attempt {attempt:3d}: HTTP {status} in {seconds * 1000:.0f} ms{' (refused)' if refused else ''}"
        )
    print(f"statuses: {statuses}; first refusal at attempt {first_refusal}")


if __name__ == "__main__":
    main()
