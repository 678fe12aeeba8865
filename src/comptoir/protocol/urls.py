from django.urls import path

from comptoir.protocol import views

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
