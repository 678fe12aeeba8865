from django.contrib import admin

from comptoir.catalog.models import Category, ImportJob, Offer, OpeningHours, Shop, ShopStaff


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


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ("name_fr", "shop", "sku", "price_cents", "stock", "active")
    list_filter = ("active",)
    search_fields = ("name_fr", "sku", "gtin")
    raw_id_fields = ("shop", "category")


admin.site.register(Category)
admin.site.register(ImportJob)
