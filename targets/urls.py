from django.urls import path

from targets import views

app_name = "targets"

urlpatterns = [
    path("plans/import/", views.plan_import_upload, name="plan_import"),
    path("plans/import/confirm/", views.plan_import_confirm, name="plan_import_confirm"),
    path("plans/template.xlsx", views.plan_template, name="plan_template"),
    path("plans/<slug:code>/export.xlsx", views.plan_export, name="plan_export"),
    path("targets/<int:pk>/amend/", views.target_amend_page, name="target_amend"),
    path("indicators/<slug:code>/", views.indicator_page, name="indicator"),
    path("indicators/<slug:code>/definition/", views.indicator_definition_page,
         name="indicator_definition"),
]
