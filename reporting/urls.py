from django.urls import path

from reporting import views

report = "reports/<int:unit_id>/<str:period_code>/"

urlpatterns = [
    path("", views.home, name="home"),
    # before the unit/period routes, which would otherwise read "approve" as a period code
    path("reports/<int:pk>/approve/", views.approve, name="report_approve"),
    path("reports/<int:pk>/return/", views.return_report, name="report_return"),
    path("reports/<int:pk>/reopen/", views.reopen, name="report_reopen"),
    path(report, views.report_edit, name="report_edit"),
    path(f"{report}history/", views.report_history, name="report_history"),
    path(f"{report}excel/", views.report_excel_template, name="report_excel_template"),
    path(f"{report}excel/upload/", views.report_excel_upload, name="report_excel_upload"),
    path(f"{report}excel/confirm/", views.report_excel_confirm, name="report_excel_confirm"),
    path("review/", views.review, name="review_queue"),
    path("review/approve/", views.bulk_approve, name="review_bulk_approve"),
    path("evidence/<int:pk>/", views.evidence, name="report_evidence"),
]
