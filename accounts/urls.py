from django.urls import re_path

from accounts import views

urlpatterns = [
    re_path(r"^api/v1/auth/register/?$", views.RegisterView.as_view(), name="register"),
    re_path(r"^api/v1/auth/login/?$", views.LoginView.as_view(), name="login"),
    re_path(r"^api/v1/auth/refresh/?$", views.RefreshView.as_view(), name="token-refresh"),
    re_path(r"^api/v1/auth/logout/?$", views.LogoutView.as_view(), name="logout"),
    re_path(r"^api/v1/profile/me/?$", views.ProfileView.as_view(), name="profile"),
    re_path(r"^api/v1/profile/me/export/?$", views.ProfileExportView.as_view(), name="profile-export"),
]
