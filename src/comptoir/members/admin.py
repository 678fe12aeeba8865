from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from comptoir.core.errors import ComptoirError
from comptoir.members.models import College, Membership, MembershipApplication, Person
from comptoir.members.services import do_review_application


@admin.register(Person)
class PersonAdmin(UserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "language", "is_staff", "is_active")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("full_name", "phone", "language")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


admin.site.register(College)
admin.site.register(Membership)


@admin.register(MembershipApplication)
class MembershipApplicationAdmin(admin.ModelAdmin):
    """Staff review applications here; the actions go through the same service as any review."""

    list_display = ("person", "college", "status", "created")
    list_filter = ("status", "college")
    actions = ["approve", "reject"]

    @admin.action(description="Approve the selected applications")
    def approve(self, request: HttpRequest, queryset: QuerySet[MembershipApplication]) -> None:
        self._review(request, queryset, approve=True)

    @admin.action(description="Reject the selected applications")
    def reject(self, request: HttpRequest, queryset: QuerySet[MembershipApplication]) -> None:
        self._review(request, queryset, approve=False)

    def _review(
        self, request: HttpRequest, queryset: QuerySet[MembershipApplication], *, approve: bool
    ) -> None:
        for application in queryset.filter(status=MembershipApplication.Status.PENDING):
            try:
                do_review_application(request.user, application.pk, approve=approve)  # type: ignore[arg-type]
            except ComptoirError as error:
                self.message_user(request, error.message, level="error")
