from django.contrib import admin

from .models import Enterprise


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["uscc", "name", "region", "industry_code", "above_scale", "status"]
    list_filter = ["above_scale", "status", "region"]
    search_fields = ["uscc", "name"]
    autocomplete_fields = ["region", "town"]
