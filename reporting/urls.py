from django.urls import path

from reporting import views

urlpatterns = [
    path("", views.home, name="home"),
]
