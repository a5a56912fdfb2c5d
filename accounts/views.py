"""Register, log in (tokens in the body and in httpOnly cookies), refresh, log out, profile, erasure, export."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import update_last_login
from django.http import HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import serializers, services, throttling
from accounts.authentication import enforce_same_site
from mediakit import export
from mediakit.api import RateLimited, api_error
from mediakit.downloads import AnyAcceptNegotiation, content_disposition
from mediakit.schema import ErrorSerializer


class InvalidCredentials(exceptions.AuthenticationFailed):
    default_detail = "No active account matches this email and password."
    default_code = "invalid_credentials"


def set_cookie(response: Response, name: str, value: str, lifetime) -> None:
    response.set_cookie(
        name, value, max_age=int(lifetime.total_seconds()), httponly=True, secure=not settings.DEBUG, samesite="Lax"
    )


def clear_cookies(response: Response) -> None:
    # Expired at once, with the same flags they were set with.
    for name in (settings.JWT_ACCESS_COOKIE, settings.JWT_REFRESH_COOKIE):
        response.set_cookie(
            name,
            "",
            max_age=0,
            expires="Thu, 01 Jan 1970 00:00:00 GMT",
            httponly=True,
            secure=not settings.DEBUG,
            samesite="Lax",
        )


def refresh_from(request) -> str | None:
    """The refresh token from the JSON body, else from the cookie (then with the same-site rule)."""
    serializer = serializers.RefreshSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    if serializer.validated_data.get("refresh"):
        return serializer.validated_data["refresh"]
    cookie = request.COOKIES.get(settings.JWT_REFRESH_COOKIE)
    if cookie:
        enforce_same_site(request)
    return cookie


class PublicView(APIView):
    # No authentication here: a stale access cookie must never stop a log-in or a refresh.
    authentication_classes: list = []
    permission_classes: list = []

    def get_authenticate_header(self, request) -> str:
        # Failed credentials still answer 401 with a Bearer challenge (DRF would say 403).
        return 'Bearer realm="api"'


class RegisterView(PublicView, generics.CreateAPIView):
    serializer_class = serializers.RegisterSerializer


class TooManyFailedLogins(RateLimited):
    default_detail = "Too many failed logins for this email or from this address; try again later."


class LoginView(PublicView):
    @extend_schema(
        request=serializers.LoginSerializer,
        responses={200: serializers.TokenPairSerializer, 401: ErrorSerializer, 429: ErrorSerializer},
    )
    def post(self, request):
        serializer = serializers.LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email = serializer.validated_data["email"]
        if wait := throttling.seconds_locked_out(request, email):
            raise TooManyFailedLogins(wait)
        # A failure is counted by accounts.handlers, as the admin's are.
        user = authenticate(request, email=email, password=serializer.validated_data["password"])
        if user is None:
            raise InvalidCredentials()
        update_last_login(type(user), user)
        refresh = RefreshToken.for_user(user)
        access, refresh_text = str(refresh.access_token), str(refresh)
        body = {"access": access, "refresh": refresh_text, "user": serializers.UserSummarySerializer(user).data}
        response = Response(body)
        set_cookie(response, settings.JWT_ACCESS_COOKIE, access, jwt_settings.ACCESS_TOKEN_LIFETIME)
        set_cookie(response, settings.JWT_REFRESH_COOKIE, refresh_text, jwt_settings.REFRESH_TOKEN_LIFETIME)
        return response


class RefreshView(PublicView):
    @extend_schema(
        request=serializers.RefreshSerializer,
        responses={200: serializers.AccessSerializer, 401: ErrorSerializer, 403: ErrorSerializer},
    )
    def post(self, request):
        raw = refresh_from(request)
        if not raw:
            raise exceptions.NotAuthenticated("Send the refresh token in the body or the refresh_token cookie.")
        refresh = TokenRefreshSerializer(data={"refresh": raw})  # refuses tokens of inactive users
        try:
            refresh.is_valid(raise_exception=True)
        except TokenError as exc:
            raise exceptions.AuthenticationFailed(str(exc), code="token_not_valid") from None
        except get_user_model().DoesNotExist:
            raise exceptions.AuthenticationFailed(
                refresh.error_messages["no_active_account"], code="no_active_account"
            ) from None
        access = refresh.validated_data["access"]
        response = Response({"access": access})
        set_cookie(response, settings.JWT_ACCESS_COOKIE, access, jwt_settings.ACCESS_TOKEN_LIFETIME)
        return response


class LogoutView(PublicView):
    @extend_schema(request=serializers.RefreshSerializer, responses={204: None, 403: ErrorSerializer})
    def post(self, request):
        raw = refresh_from(request)
        if raw:
            services.refresh_token_revoke(raw=raw)
        response = Response(status=status.HTTP_204_NO_CONTENT)
        clear_cookies(response)
        return response


InvalidPassword = api_error(
    "InvalidPassword", status.HTTP_400_BAD_REQUEST, "invalid_password", "The password is missing or wrong."
)


class ProfileView(generics.RetrieveUpdateAPIView):
    serializer_class = serializers.ProfileSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_object(self):
        return self.request.user

    @extend_schema(
        request=serializers.AccountDeleteSerializer,
        description="Body: JSON `{password}`. Erases the account and everything it owns, files included; "
        "a wrong or missing password is `400 invalid_password` and counts as a failed login.",
        responses={204: None, 400: ErrorSerializer, 401: ErrorSerializer, 429: ErrorSerializer},
    )
    def delete(self, request):
        """Erase the account and everything it owns; a wrong password counts as a failed login."""
        user = request.user
        if wait := throttling.seconds_locked_out(request, user.email):
            raise TooManyFailedLogins(wait)
        # The password rule of every view that takes one (serializers.password_field): a password
        # that could not be set or logged in with (too long, NUL, lone surrogate) is a wrong one.
        given = serializers.AccountDeleteSerializer(data=request.data)
        if not (given.is_valid() and user.check_password(given.validated_data["password"])):
            throttling.record_failed_login(request, user.email)
            raise InvalidPassword()
        if not services.account_erase(user=user):
            raise exceptions.AuthenticationFailed("This account no longer exists.", code="user_not_found")
        response = Response(status=status.HTTP_204_NO_CONTENT)
        clear_cookies(response)
        return response


class ProfileExportView(APIView):
    """Everything the account holds, as one ZIP streamed while it is built."""

    content_negotiation_class = AnyAcceptNegotiation

    @extend_schema(
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The export archive."),
            401: ErrorSerializer,
        }
    )
    def get(self, request):
        stream = export.archive(request.user, request)
        headers = {
            "Content-Disposition": content_disposition(f"critvue-export-{request.user.pk}.zip"),
            "Content-Length": str(len(stream)),
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        }
        if request.method == "HEAD":  # the GET's headers; no stored file is opened
            return HttpResponse(content_type="application/zip", headers=headers)
        return StreamingHttpResponse(stream, content_type="application/zip", headers=headers)


def admin_login(request, **kwargs):
    """The admin's login page; a locked-out email or client address gets a 429 page instead."""
    if request.method == "POST":
        wait = throttling.seconds_locked_out(request, request.POST.get("username", ""))
        if wait:
            context = {**admin.site.each_context(request), "title": "Too many failed logins", "wait": wait}
            response = TemplateResponse(request, "accounts/admin_login_throttled.html", context, status=429)
            response["Retry-After"] = str(wait)
            return response
    return admin.site.login(request, **kwargs)
