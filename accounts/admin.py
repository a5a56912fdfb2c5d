from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from accounts import conf
from accounts.models import User
from mediakit.admin import breakable, when


class AdminLoginForm(AdminAuthenticationForm):
    # Refused as a form error before authenticate() would hash it.
    password = forms.CharField(
        label="Password",
        strip=False,
        max_length=conf.PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


admin.site.login_form = AdminLoginForm


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    list_display = ("email_address", "full_name", "role", "is_verified", "is_staff", "joined")
    list_filter = ("role", "is_verified", "is_staff", "is_active")
    search_fields = ("email", "full_name")
    ordering = ("-created_at",)
    readonly_fields = ("avatar_url", "created_at", "updated_at", "last_login")

    # Long addresses wrap after their separators and dates stay whole, so the list fits 1280 px with the
    # moderation columns added to it.
    @admin.display(description="Email", ordering="email")
    def email_address(self, user: User) -> str:
        return breakable(user.email)

    @admin.display(description="Joined", ordering="created_at")
    def joined(self, user: User) -> str:
        return when(user.created_at)

    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            "Profile",
            {"fields": ("full_name", "avatar_url", "bio", "title", "specialty_tags", "badges", "role", "is_verified")},
        ),
        # Critvue's review figures: folded away, they are nothing a moderator judges uploads by.
        (
            "Review stats",
            {
                "classes": ("collapse",),
                "fields": ("total_reviews_given", "total_reviews_received", "avg_rating", "avg_response_time_hours"),
            },
        ),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "created_at", "updated_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
