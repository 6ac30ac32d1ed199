"""What the quarterly e-mail of the leaders' report remembers: what went out, who opted out."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportMailing(models.Model):
    """The quarterly report of a city for a period, first e-mailed at ``sent_at``.

    Who received it is in ``deliveries`` (one row per reader, so a reader added later in the
    quarter still gets it, once); ``recipients`` lists their addresses for the admin.
    """

    city = models.ForeignKey(
        "units.Unit", verbose_name=_("city"), on_delete=models.CASCADE, related_name="+"
    )
    period = models.ForeignKey(
        "reporting.Period", verbose_name=_("period"), on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    recipients = models.JSONField(_("recipients"), default=list)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("report mailing")
        verbose_name_plural = _("report mailings")
        constraints = [
            models.UniqueConstraint(fields=["city", "period"], name="one_mailing_per_city_period")
        ]

    def __str__(self) -> str:
        return f"{self.city_id}/{self.period_id}"


class ReportMailDelivery(models.Model):
    """One reader's copy of a city's quarterly report: written before the mail is sent, in the
    same transaction, so nobody gets the same city's report for the same period twice."""

    mailing = models.ForeignKey(
        ReportMailing, verbose_name=_("report mailing"), on_delete=models.CASCADE,
        related_name="deliveries",
    )
    # SET_NULL: the log of what went to which address outlives the account.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    email = models.EmailField(_("e-mail"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["mailing", "email"]
        verbose_name = _("report e-mail sent")
        verbose_name_plural = _("report e-mails sent")
        constraints = [
            models.UniqueConstraint(fields=["mailing", "user"], name="one_report_mail_per_reader")
        ]

    def __str__(self) -> str:
        return f"{self.mailing} → {self.email}"


class ReportMailOptOut(models.Model):
    """A reader who asked not to receive the quarterly report by e-mail."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
        related_name="report_mail_opt_out",
    )
    created_at = models.DateTimeField(_("opted out at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report e-mail opt-out")
        verbose_name_plural = _("report e-mail opt-outs")

    def __str__(self) -> str:
        return str(self.user)
