"""Errors the reporting services raise; every message is translated (Vietnamese by default).

Views show `.message` to the user; the API maps the classes to HTTP statuses
(permission 403, state 409, conflict 412/409, validation 400).
"""

from django.utils.translation import gettext_lazy as _


class ReportError(Exception):
    """Base of every refusal by a reporting service."""

    default_message = _("The report could not be changed.")

    def __init__(self, message=None):
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))


class ReportPermissionError(ReportError):
    """The user may not do this to this unit's report."""

    default_message = _("You do not have permission to do this.")


class ReportStateError(ReportError):
    """The report's state (or its period's lock) does not allow this action."""

    default_message = _("The report cannot be changed in its current state.")


class ReportConflictError(ReportError):
    """Someone else saved the report since the caller loaded it (expected_version is stale)."""

    default_message = _(
        "Someone else saved this report after you opened it. Your entries are kept below: "
        "check the current figures, then save again."
    )

    def __init__(self, message=None, *, current_version: int | None = None):
        super().__init__(message)
        self.current_version = current_version


class ReportValidationError(ReportError):
    """Some figures are invalid: .errors is {indicator_code: {field: message}}.

    Errors that concern the whole request (a missing reason) use the indicator code "".
    """

    default_message = _("Some figures are not valid. Nothing was saved; see the messages below.")

    def __init__(self, errors: dict[str, dict[str, str]], message=None):
        super().__init__(message)
        self.errors = errors
