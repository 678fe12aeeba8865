from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _found(sender: Any, **kwargs: Any) -> None:
    from comptoir.governance.services import ensure_founding

    ensure_founding()


class GovernanceConfig(AppConfig):
    name = "comptoir.governance"
    label = "governance"
    verbose_name = _("Governance")

    def ready(self) -> None:
        from comptoir.core.parameters import use_store
        from comptoir.governance.selectors import DatabaseStore

        use_store(DatabaseStore())
        post_migrate.connect(_found, sender=self)
