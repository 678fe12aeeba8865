from typing import Any

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "comptoir.core"
    label = "core"

    def ready(self) -> None:
        from django.core.signals import setting_changed

        from comptoir.core import money
        from comptoir.core.region import node_region

        money.use_currency(node_region().currency)  # one currency per node: Money(240) is in it

        def follow_region(*, setting: str, **_kwargs: Any) -> None:  # tests switch regions with settings
            if setting == "COMPTOIR_REGION":
                money.use_currency(node_region().currency)

        setting_changed.connect(follow_region, weak=False, dispatch_uid="comptoir-region-currency")
