"""The project's URLs plus a view that raises, for the 500 page's tests."""

from django.urls import path

from hubdelivery import urls as project


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), path("api/boom/", boom), *project.urlpatterns]
handler403 = project.handler403
handler404 = project.handler404
handler500 = project.handler500
