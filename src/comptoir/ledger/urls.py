from django.urls import path

from comptoir.ledger import views

app_name = "ledger"
urlpatterns = [
    path("transparence/", views.months, name="months"),
    path("transparence/<str:month>/", views.month, name="month"),
    path("releve/<slug:shop_ref>/", views.shop_statement, name="statement"),
    path("coursier/paie/", views.courier_pay, name="courier-pay"),
]
