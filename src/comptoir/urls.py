from django.contrib import admin
from django.urls import include, path

from comptoir.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("recherche/", include("comptoir.search.urls")),
    path("", include("comptoir.protocol.urls")),
    path("", include("comptoir.orders.urls")),
    path("", include("comptoir.delivery.urls")),
    path("", include("comptoir.ledger.urls")),
    path("", include("comptoir.privacy.urls")),
    path("", include("comptoir.governance.urls")),
    path("", include("comptoir.web.urls")),
]

handler403 = "comptoir.web.errors.forbidden"
handler404 = "comptoir.web.errors.not_found"
handler500 = "comptoir.web.errors.server_error"
