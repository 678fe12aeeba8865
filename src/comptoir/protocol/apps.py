from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProtocolConfig(AppConfig):
    name = "comptoir.protocol"
    label = "protocol"
    verbose_name = _("Open protocol")

    def ready(self) -> None:
        # the roles register their message handlers (services.HANDLERS) when imported
        from comptoir.protocol import buyer, gateway, logistics, seller  # noqa: F401
