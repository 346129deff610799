import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from clock.services import tick


class Command(BaseCommand):
    help = "Enqueue periodic jobs when they are due (every minute); run one per machine or more."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One tick, then exit.")
        parser.add_argument("--interval", type=float, default=60, help="Seconds between ticks.")

    def handle(self, *, once: bool, interval: float, verbosity: int, **options):
        stop = []
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.append(True))
        while True:
            close_old_connections()
            for run in tick():
                if verbosity:
                    self.stdout.write(f"enqueued {run}")
            close_old_connections()
            if once:
                return
            # Sleep in short steps so a SIGTERM stops the clock at once.
            deadline = time.monotonic() + interval
            while not stop and time.monotonic() < deadline:
                time.sleep(min(1, interval))
            if stop:
                return
