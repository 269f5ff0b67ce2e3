"""Django's admin, for system administrators only (is_staff): users and their memberships,
regions and departments. Everyone else works in the gongqiang pages."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import ApiToken, Department, Membership, PolicyPack, Region, User

admin.site.site_header = "工强 · 维护后台"
admin.site.site_title = "工强维护后台"
admin.site.index_title = "系统维护"


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["region", "department", "enterprise"]


@admin.register(User)
class GongqiangUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "display_name", "is_active", "is_staff", "last_login"]
    search_fields = ["username", "display_name"]
    fieldsets = UserAdmin.fieldsets + (("工强", {"fields": ["display_name", "phone"]}),)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    readonly_fields = ["path"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "supplies_data"]
    search_fields = ["code", "name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "region", "department", "enterprise"]
    list_filter = ["role"]
    autocomplete_fields = ["user", "region", "department", "enterprise"]


@admin.register(PolicyPack)
class PolicyPackAdmin(admin.ModelAdmin):
    list_display = ["code", "version", "title", "is_active", "loaded_at"]
    readonly_fields = [f.name for f in PolicyPack._meta.fields]

    def has_add_permission(self, request):  # packs are loaded with `gongqiang policy load`
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "expires_at"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]

    def has_add_permission(self, request):  # issued by the user, shown once
        return False
