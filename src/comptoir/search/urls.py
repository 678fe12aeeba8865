from django.urls import path

from comptoir.search import views

app_name = "search"

urlpatterns = [
    path("", views.results, name="results"),
    path("index/", views.index_page, name="index"),
    path("index/reconstructions/<int:rebuild_id>/", views.rebuild_page, name="rebuild"),
]
