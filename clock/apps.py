from django.apps import AppConfig


class ClockConfig(AppConfig):
    name = "clock"
    verbose_name = "Horloge"
