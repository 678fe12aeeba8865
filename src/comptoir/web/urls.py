from django.contrib.auth import views as auth_views
from django.urls import path

from comptoir.web import account, backoffice, chain_office, suppliers, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("commerces/", views.directory, name="directory"),
    path("commerces/<slug:ref>/", views.shop_page, name="shop"),
    path("chaines/<slug:ref>/", views.chain_page, name="chain"),
    path("produits/<int:offer_id>/", views.offer_page, name="offer"),
    path("fournisseurs/", suppliers.supplier_directory, name="suppliers"),
    path("fournisseurs/<slug:ref>/", suppliers.supplier_page, name="supplier"),
    path("part-locale/", suppliers.local_share_page, name="local-share"),
    path("gestion/<slug:ref>/fournisseurs/", suppliers.shop_suppliers, name="shop-suppliers"),
    path("inscription/", account.signup, name="signup"),
    path("inscription/envoye/", account.signup_sent, name="signup-sent"),
    path("inscription/confirmer/<str:uidb64>/<str:token>/", account.signup_confirm, name="signup-confirm"),
    path("connexion/", account.SignInView.as_view(), name="login"),
    path("mot-de-passe/oublie/", account.password_reset, name="password-reset"),
    path("mot-de-passe/envoye/", account.password_reset_sent, name="password-reset-sent"),
    path(
        "mot-de-passe/nouveau/<str:uidb64>/<str:token>/",
        account.password_reset_confirm,
        name="password-reset-confirm",
    ),
    path("mot-de-passe/change/", account.password_reset_done, name="password-reset-done"),
    path("compte/mot-de-passe/", account.password_change, name="password-change"),
    path("compte/jetons/", account.api_tokens, name="api-tokens"),
    path("compte/jetons/<int:token_id>/revoquer/", account.api_token_revoke, name="api-token-revoke"),
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
    path("chaine/<slug:ref>/", chain_office.dashboard, name="chain-dashboard"),
    path("chaine/<slug:ref>/import/", chain_office.catalog_import, name="chain-import"),
    path("chaine/<slug:ref>/import/<int:job_id>/", chain_office.import_result, name="chain-import-result"),
]
