from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "comptoir.orders"
    label = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from comptoir.orders.receivers import claim_guest_cart_at_sign_in

        user_logged_in.connect(claim_guest_cart_at_sign_in, dispatch_uid="orders-claim-guest-cart")
