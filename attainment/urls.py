from django.urls import path

from attainment import views

app_name = "attainment"
urlpatterns = [
    path("method/", views.method_page, name="method"),
]
