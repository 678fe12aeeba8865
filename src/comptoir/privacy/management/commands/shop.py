"""`comptoir shop export-bundle REF FILE` and `comptoir shop import-bundle FILE --owner EMAIL [--ref REF]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from comptoir.catalog.models import Shop
from comptoir.core import formats
from comptoir.core.errors import ComptoirError
from comptoir.members.models import Person
from comptoir.privacy.bundle import do_import_bundle, write_bundle
from comptoir.privacy.progress import StageBar


class Command(BaseCommand):
    help = "Move a shop between Comptoir nodes: export its migration bundle, or import one."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export-bundle", help="Write a shop's migration bundle (ZIP).")
        export.add_argument("ref")
        export.add_argument("file", type=Path)
        imp = sub.add_parser("import-bundle", help="Create a shop from a migration bundle, history included.")
        imp.add_argument("file", type=Path)
        imp.add_argument(
            "--owner", required=True, help="email of the person of this node who will own the shop"
        )
        imp.add_argument("--ref", default="", help="another reference, if the bundle's is taken here")
        for p in (export, imp):
            p.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, action: str, no_progress: bool, **options: Any) -> None:
        bar = None if no_progress else StageBar()
        try:
            if action == "export-bundle":
                shop = Shop.objects.filter(ref=options["ref"]).first()
                if shop is None:
                    raise CommandError(
                        _("no shop with the reference %(ref)s") % {"ref": repr(options["ref"])}
                    )
                size = write_bundle(shop, options["file"], bar)
                self.stdout.write(
                    _("Bundle of %(shop)s written to %(file)s (%(size)s).")
                    % {
                        "shop": shop.ref,
                        "file": options["file"],
                        "size": formats.quantity(size / 1e6, 1, "MB", get_language()),
                    }
                )
                return
            owner = Person.objects.filter(email__iexact=options["owner"], is_active=True).first()
            if owner is None:
                raise CommandError(
                    _("no active person with the email %(email)s on this node")
                    % {"email": repr(options["owner"])}
                )
            if not options["file"].is_file():
                raise CommandError(_("no bundle at %(path)s") % {"path": options["file"]})
            if bar:
                bar("import", 0, 1)
            with options["file"].open("rb") as stream:
                imported = do_import_bundle(stream, owner=owner, ref=options["ref"])
            if bar:
                bar("import", 1, 1)
        except ComptoirError as error:
            raise CommandError(error.message) from error
        finally:
            if bar:
                bar.close()
        counts = imported.manifest.get("counts", {})
        self.stdout.write(
            _("Shop %(shop)s imported from %(node)s: %(offers)s offers, %(orders)s orders, %(lines)s statement lines, %(images)s images.")
            % {"shop": imported.shop.ref, "node": imported.origin_node, "offers": counts.get("offers", 0),
               "orders": imported.orders, "lines": len(imported.statements), "images": counts.get("images", 0)}
        )  # fmt: skip
