from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from comptoir.catalog.models import (
    Category,
    ImportJob,
    Offer,
    OpeningHours,
    Organisation,
    OrganisationStaff,
    Shop,
    ShopStaff,
)
from comptoir.catalog.offer_counts import do_recount_offers
from comptoir.catalog.services import mark_offers_changed, mark_shop_changed


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class ShopStaffInline(admin.TabularInline):
    model = ShopStaff
    extra = 0
    raw_id_fields = ("person",)


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    list_display = ("name", "ref", "kind", "neighbourhood", "status")
    list_filter = ("status", "kind")
    search_fields = ("name", "ref")
    inlines = [OpeningHoursInline, ShopStaffInline]
    readonly_fields = ("organisation",)  # a shop joins a chain through chains.do_add_branch (its catalog)

    def save_model(self, request: HttpRequest, obj: Shop, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        mark_shop_changed(obj.pk)  # status or location changes what residents find


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ("name_fr", "shop", "sku", "price_cents", "stock", "active")
    list_filter = ("active",)
    search_fields = ("name_fr", "sku", "gtin")
    raw_id_fields = ("shop", "category")

    def save_model(self, request: HttpRequest, obj: Offer, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        mark_offers_changed([obj.pk])  # the index follows admin edits too
        do_recount_offers([obj.shop_id])

    def delete_model(self, request: HttpRequest, obj: Offer) -> None:
        offer_id, shop_id = obj.pk, obj.shop_id
        super().delete_model(request, obj)
        mark_offers_changed([offer_id])
        do_recount_offers([shop_id])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Offer]) -> None:
        gone = list(queryset.values_list("pk", "shop_id"))
        super().delete_queryset(request, queryset)
        mark_offers_changed(offer_id for offer_id, _ in gone)
        do_recount_offers(shop_id for _, shop_id in gone)


class OrganisationStaffInline(admin.TabularInline):
    model = OrganisationStaff
    extra = 0
    raw_id_fields = ("person",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Chains: their staff here; their shared catalog through the chain's page, API or import."""

    list_display = ("name", "ref", "branches_set_prices")
    search_fields = ("name", "ref")
    inlines = [OrganisationStaffInline]


admin.site.register(Category)
admin.site.register(ImportJob)
