from django.urls import path

from leaders import views

app_name = "leaders"
urlpatterns = [
    path("city/<str:code>/report/", views.city_report_download, name="city_report"),
    path("opt-out/<str:token>/", views.opt_out, name="opt_out"),
]
