"""`comptoir protocol keygen | whoami | trust | work | flow-log`: the node's protocol identity, peers, worker, logs.

`flow-seed`, `flow-play` and `flow-act` are the parts `flow-log` runs inside each node.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from comptoir.core.errors import ComptoirError
from comptoir.protocol.identity import do_generate_keys, keys_path, load_identity
from comptoir.protocol.services import do_trust_subscriber


class Command(BaseCommand):
    help = "The node's protocol keys and the peers it trusts."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        keygen = sub.add_parser("keygen", help="Write new signing and encryption keys (mode 0600).")
        keygen.add_argument(
            "--out", type=Path, help="Where to write them (default $COMPTOIR_HOME/protocol/keys.json)."
        )
        keygen.add_argument("--force", action="store_true", help="Replace existing keys.")
        sub.add_parser(
            "whoami", help="Print what peers and the registry need to know about this node (no secrets)."
        )
        trust = sub.add_parser("trust", help="Trust a participant's key without a registry.")
        for name in ("subscriber_id", "unique_key_id", "role", "url", "signing_public_key"):
            trust.add_argument(name)
        trust.add_argument("--domain", default="")
        trust.add_argument("--city", default="*")
        sub.add_parser("work", help="Run only the protocol worker loop (inbox, status pushes, outbox).")
        subscribe = sub.add_parser(
            "subscribe", help="Subscribe to COMPTOIR_REGISTRY_URL (on_subscribe challenge)."
        )
        subscribe.add_argument("--role", required=True, choices=["BAP", "BPP", "BG"])
        subscribe.add_argument("--domain", required=True)
        subscribe.add_argument("--city", default="")
        sub.add_parser("stats", help="Counts of stored protocol rows, as JSON.")
        check = sub.add_parser("check-logs", help="Check a folder of flow logs against ONDC's log rules.")
        check.add_argument("folder", type=Path)
        log = sub.add_parser(
            "flow-log", help="Play an ONDC retail flow between two local nodes; write its logs."
        )
        log.add_argument("--flow", type=int, required=True, nargs="+", choices=[1, 2, 3, 4])
        log.add_argument("--out", type=Path, required=True)
        log.add_argument("--keep", action="store_true", help="Keep the two nodes' data folders.")
        sub.add_parser("node-init", help="(flow-log) Write keys and print whoami.")
        peers = sub.add_parser(
            "node-peers", help="(flow-log) Trust the peers given as JSON; --seed adds a seller."
        )
        peers.add_argument("peers")
        peers.add_argument("--seed", action="store_true")
        play = sub.add_parser("flow-play", help="(flow-log) Play a flow as buyer app.")
        play.add_argument("flow", type=int, nargs="+")
        play.add_argument("--seller-id", required=True)
        play.add_argument("--seller-url", required=True)
        play.add_argument("--out", type=Path, required=True)
        play.add_argument("--seller-env", required=True, help="JSON environment of the seller node.")
        sub.add_parser("flow-act", help="(flow-log) Shop and courier steps read from stdin, one per line.")

    def handle(self, *args: object, **options: object) -> None:
        try:
            if options["action"] == "keygen":
                out = options["out"] if isinstance(options["out"], Path) else keys_path()
                keys = do_generate_keys(path=out, force=bool(options["force"]))
                self.stdout.write(f"keys written to {out} (mode 0600)")
                self.stdout.write(f"unique_key_id: {keys['unique_key_id']}")
                self.stdout.write(f"signing_public_key: {keys['signing_public_key']}")
                self.stdout.write(f"encr_public_key: {keys['encr_public_key']}")
            elif options["action"] == "whoami":
                me = load_identity()
                self.stdout.write(json.dumps({
                    "subscriber_id": me.subscriber_id, "unique_key_id": me.unique_key_id, "subscriber_url": me.url,
                    "signing_public_key": me.signing.public, "encr_public_key": me.encryption.public,
                }, indent=1))  # fmt: skip
            elif options["action"] == "trust":
                row = do_trust_subscriber(
                    subscriber_id=str(options["subscriber_id"]), unique_key_id=str(options["unique_key_id"]),
                    role=str(options["role"]), url=str(options["url"]),
                    signing_public_key=str(options["signing_public_key"]),
                    domain=str(options["domain"]), city=str(options["city"]),
                )  # fmt: skip
                self.stdout.write(f"trusted {row}")
            else:
                self._flows(options)
        except ComptoirError as error:
            raise CommandError(error.message) from None

    def _flows(self, options: dict[str, Any]) -> None:
        action = options["action"]
        if action == "work":
            from comptoir.core.followers import follow
            from comptoir.protocol.tasks import protocol_pass

            follow(threading.Event(), protocol_pass, settings.COMPTOIR_PROTOCOL_POLL, "protocol")
        elif action == "flow-log":
            from comptoir.protocol.nodes import flow_log

            report = flow_log(options["flow"], options["out"], keep=options["keep"])
            for number in options["flow"]:
                folder = options["out"] if len(options["flow"]) == 1 else options["out"] / f"flow-{number}"
                files = sorted(p.stem for p in folder.glob("*.json"))
                self.stdout.write(f"flow {number}: {len(files)} files in {folder}: {', '.join(files)}")
            self.stdout.write(f"callback latency (request sent → callback stored): {report['latency']}")
            broken = [f"flow {n}: {problem}" for n, found in report["problems"].items() for problem in found]
            if broken:
                raise CommandError("the logs break ONDC's rules:\n" + "\n".join(broken))
            self.stdout.write("every log rule holds")
        elif action == "subscribe":
            from comptoir.protocol.gateway import gateway_url
            from comptoir.protocol.registry import do_subscribe_to_registry

            if not settings.COMPTOIR_REGISTRY_URL:
                raise CommandError("set COMPTOIR_REGISTRY_URL to the registry's address first")
            answer = do_subscribe_to_registry(
                me=load_identity(), role=options["role"], domain=options["domain"],
                city=options["city"] or settings.COMPTOIR_PROTOCOL_CITY,
                url=gateway_url() if options["role"] == "BG" else "",
            )  # fmt: skip
            self.stdout.write(
                f"subscribed as {options['role']} in {options['domain']}: {answer.get('status')}"
            )
        elif action == "stats":
            from comptoir.protocol.models import InboxMessage, OutboxMessage, Subscriber, Transaction

            counts = {
                model.__name__: model.objects.count()
                for model in (InboxMessage, OutboxMessage, Transaction, Subscriber)
            }
            self.stdout.write(json.dumps(counts))
        elif action == "check-logs":
            from comptoir.protocol.wire.logcheck import problems

            found = problems(options["folder"])
            if found:
                raise CommandError("\n".join(found))
            self.stdout.write(f"{options['folder']}: every log rule holds")
        elif action == "node-init":
            do_generate_keys()
            call_command("protocol", "whoami", stdout=self.stdout)
        elif action == "node-peers":
            for peer in json.loads(options["peers"]):
                do_trust_subscriber(
                    subscriber_id=peer["subscriber_id"], unique_key_id=peer["unique_key_id"], role=peer["type"],
                    url=peer["subscriber_url"], signing_public_key=peer["signing_public_key"], domain="ONDC:RET10",
                )  # fmt: skip
            if options["seed"]:
                from comptoir.protocol.demo import do_seed_seller

                do_seed_seller()
        elif action == "flow-act":
            from comptoir.protocol.demo import do_seller_step

            for line in sys.stdin:  # one Django start for every step of a flow
                order_ref, step = line.split()
                try:
                    self.stdout.write(do_seller_step(order_ref, step))
                except ComptoirError as error:
                    self.stdout.write(f"error: {error.message}")
                self.stdout.flush()
        elif action == "flow-play":
            self._play(options)

    def _play(self, options: dict[str, Any]) -> None:
        from comptoir.protocol.flows import play_flow

        seller_env = {**os.environ, **json.loads(options["seller_env"])}
        seller_env.pop("DATABASE_URL", None)
        steps = subprocess.Popen(
            [sys.executable, "-m", "comptoir.cli", "protocol", "flow-act"],
            env=seller_env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip

        def act(order_ref: str, step: str) -> None:
            assert steps.stdin is not None and steps.stdout is not None
            steps.stdin.write(f"{order_ref or '-'} {step}\n")
            steps.stdin.flush()
            answer = steps.stdout.readline()
            if not answer or answer.startswith("error"):
                raise CommandError(f"seller step {step} failed: {answer.strip() or 'no answer'}")

        latencies: list[float] = []
        try:
            for number in options["flow"]:
                out = options["out"] if len(options["flow"]) == 1 else options["out"] / f"flow-{number}"
                played = play_flow(
                    number, seller_id=options["seller_id"], seller_url=options["seller_url"],
                    out=out, city=settings.COMPTOIR_PROTOCOL_CITY, act=act,
                )  # fmt: skip
                latencies += played.latencies
        finally:
            if steps.stdin:
                steps.stdin.close()
            steps.wait(timeout=30)
        latencies.sort()
        summary = {
            "latency": {
                "count": len(latencies),
                "median_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
                "max_ms": round(latencies[-1] * 1000, 1) if latencies else None,
            }
        }
        self.stdout.write(json.dumps(summary))
