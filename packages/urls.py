from django.urls import path

from packages import views

app_name = "packages"

urlpatterns = [
    path("driver/", views.driver_home, name="driver-home"),
]
