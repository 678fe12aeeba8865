"""`comptoir protocol keygen | trust | whoami`: the node's protocol identity and known peers."""

from __future__ import annotations

import json
from pathlib import Path

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
        except ComptoirError as error:
            raise CommandError(error.message) from None
