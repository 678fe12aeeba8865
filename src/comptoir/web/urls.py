from django.contrib.auth import views as auth_views
from django.urls import path

from comptoir.web import backoffice, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("commerces/", views.directory, name="directory"),
    path("commerces/<slug:ref>/", views.shop_page, name="shop"),
    path("produits/<int:offer_id>/", views.offer_page, name="offer"),
    path("inscription/", views.signup, name="signup"),
    path("connexion/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("ouvrir-un-commerce/", views.apply_for_shop, name="shop-apply"),
    path("adhesion/", views.membership, name="membership"),
    path("gestion/<slug:ref>/", backoffice.dashboard, name="shop-dashboard"),
    path("gestion/<slug:ref>/profil/", backoffice.shop_profile, name="shop-profile"),
    path("gestion/<slug:ref>/prix-stock/", backoffice.bulk_edit, name="shop-bulk-edit"),
    path("gestion/<slug:ref>/offres/nouvelle/", backoffice.offer_edit, name="shop-offer-new"),
    path("gestion/<slug:ref>/offres/<int:offer_id>/", backoffice.offer_edit, name="shop-offer-edit"),
    path(
        "gestion/<slug:ref>/offres/<int:offer_id>/supprimer/",
        backoffice.offer_delete,
        name="shop-offer-delete",
    ),
    path("gestion/<slug:ref>/import/", backoffice.catalog_import, name="shop-import"),
    path(
        "gestion/<slug:ref>/import/<int:job_id>/", backoffice.catalog_import_result, name="shop-import-result"
    ),
    path("gestion/<slug:ref>/export.<str:fmt>", backoffice.catalog_export, name="shop-export"),
]
