from django.urls import path

from comptoir.privacy import views

app_name = "privacy"

urlpatterns = [
    path("compte/donnees/", views.my_data, name="my-data"),
    path("compte/donnees/archive.zip", views.archive, name="archive"),
    path("compte/effacer/", views.erase, name="erase"),
    path("gestion/<slug:ref>/demenagement.zip", views.shop_bundle_download, name="shop-bundle"),
]
