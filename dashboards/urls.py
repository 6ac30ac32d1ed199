from django.urls import path

from dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.index, name="index"),
    path("city/<str:code>/", views.city, name="city"),
    path("city/<str:code>/compliance/", views.compliance, name="compliance"),
    path("target/<int:pk>/", views.target, name="target"),
    path("unit/<str:code>/", views.unit, name="unit"),
    path("compare/", views.compare, name="compare"),
]
