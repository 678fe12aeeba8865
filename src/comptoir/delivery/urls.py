"""Delivery URLs: included at the site root by comptoir/urls.py."""

from django.urls import path

from comptoir.delivery import views

app_name = "delivery"

urlpatterns = [
    path("livraison/", views.dispatch, name="dispatch"),
    path("livraison/creneaux/<int:slot_id>/", views.slot_page, name="slot"),
    path("livraison/creneaux/<int:slot_id>/planifier/", views.plan, name="plan"),
    path("livraison/creneaux/<int:slot_id>/deplacer/", views.move, name="move"),
    path(
        "livraison/creneaux/<int:slot_id>/arrets/<int:stop_id>/codes/",
        views.allow_code_attempts,
        name="allow-code-attempts",
    ),
    path("livraison/suivi/<str:ref>/", views.tracking, name="tracking"),
    path("livraison/commerce/<slug:ref>/", views.shop_pickups, name="shop-pickups"),
    path("tournee/", views.courier_home, name="courier"),
    path("tournee/<int:round_id>/", views.courier_round, name="round"),
]
