"""Periodic work as database state: what ran for which period. The clock reads it, so a
restart, a missed hour or a second clock neither loses nor doubles a run."""

from django.db import models
from django.utils import timezone


class Schedule(models.Model):
    """One periodic job of ``settings.CLOCK_JOBS`` and the last period it was enqueued for."""

    name = models.CharField(max_length=50, unique=True)
    last_period = models.DateTimeField(null=True, blank=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Run(models.Model):
    """A job enqueued for one period. Unique per job and period: the second clock to try
    the same period fails on the constraint, whatever it read before."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="runs")
    period = models.DateTimeField()
    label = models.CharField(max_length=20)
    task_id = models.CharField(max_length=64, blank=True)
    enqueued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "period"], name="one_run_per_period")
        ]

    def __str__(self):
        return f"{self.schedule} {self.label}"
