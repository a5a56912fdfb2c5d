from django.contrib import admin

from people.models import Member


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ("handle", "is_staff")
    search_fields = ("handle",)
    fields = ("handle", "is_staff", "is_active", "groups")
