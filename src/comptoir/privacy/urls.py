from django.urls import path

from comptoir.privacy import views

app_name = "privacy"

urlpatterns = [
    path("compte/donnees/", views.my_data, name="my-data"),
    path("compte/donnees/archive.zip", views.archive, name="archive"),
    path("compte/effacer/", views.erase, name="erase"),
    path("compte/exports/", views.exports, name="exports"),
    path("compte/exports/<int:job_id>/", views.export, name="export"),
    path("compte/exports/<int:job_id>/telecharger", views.export_download, name="export-download"),
    path("gestion/<slug:ref>/demenagement.zip", views.shop_bundle_download, name="shop-bundle"),
]
