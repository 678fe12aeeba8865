from django.urls import path

from comptoir.orders import views

app_name = "orders"

urlpatterns = [
    path("panier/", views.cart_page, name="cart"),
    path("panier/ajouter/", views.cart_add, name="cart-add"),
    path("panier/modifier/", views.cart_update, name="cart-update"),
    path("commande/", views.checkout_page, name="checkout"),
    path("commandes/<str:token>/", views.order_page, name="order"),
    path("commandes/<str:token>/etat/", views.order_live, name="order-live"),
    path("commandes/<str:token>/recommander/", views.order_again, name="order-again"),
    path("commandes/<str:token>/confirmer/", views.order_confirm_email, name="order-confirm-email"),
    path("commandes/<str:token>/<int:shop_order_id>/<str:action>/", views.order_action, name="order-action"),
    path("mes-commandes/", views.my_orders, name="my-orders"),
    path("gestion/<slug:ref>/commandes/", views.shop_queue, name="shop-queue"),
    path("gestion/<slug:ref>/commandes/nouvelles/", views.shop_queue_new, name="shop-queue-new"),
    path("gestion/<slug:ref>/commandes/<int:shop_order_id>/", views.shop_order_page, name="shop-order"),
    path(
        "gestion/<slug:ref>/commandes/<int:shop_order_id>/<str:action>/",
        views.shop_order_action,
        name="shop-order-action",
    ),
]
