from django.urls import path

from comptoir.protocol import pages, views

app_name = "protocol"
urlpatterns = [
    path("beckn/on_subscribe", views.on_subscribe, name="on-subscribe"),
    path("beckn/<str:action>", views.beckn, name="beckn"),
    path("gateway/on_subscribe", views.on_subscribe, name="gateway-on-subscribe"),
    path("gateway/<str:action>", views.gateway, name="gateway"),
    path("registry/subscribe", views.subscribe, name="subscribe"),
    path("registry/lookup", views.lookup, name="lookup"),
    path("registry/identity", views.registry_identity, name="registry-identity"),
]

urlpatterns += [
    path("recherche/autres-noeuds/", pages.peer_results, name="peer-results"),
    path("panier/autres-noeuds/ajouter/", pages.remote_add, name="remote-add"),
    path("panier/autres-noeuds/modifier/", pages.remote_update, name="remote-update"),
    path("panier/autres-noeuds/<int:remote_id>/commander/", pages.remote_checkout, name="remote-checkout"),
    path("commandes/autres-noeuds/<int:remote_id>/", pages.remote_order, name="remote-order"),
    path("commandes/autres-noeuds/<int:remote_id>/annuler/", pages.remote_cancel, name="remote-cancel"),
]
