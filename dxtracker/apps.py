from django.apps import AppConfig


class DxTrackerConfig(AppConfig):
    name = "dxtracker"
    verbose_name = "DX Tracker"
