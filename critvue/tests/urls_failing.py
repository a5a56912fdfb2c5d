"""Critvue's URLs plus a view that fails as a bug would: what a 500 looks like in every mode."""

from django.urls import path

from critvue import urls


def failing_view(request):
    raise RuntimeError("an internal failure with a secret-looking detail: /srv/critvue/app/critvue/views.py")


urlpatterns = [path("failing-view", failing_view), *urls.urlpatterns]
handler400, handler403, handler404, handler500 = urls.handler400, urls.handler403, urls.handler404, urls.handler500
