"""Time and memory of reading hostile Excel uploads: each is refused or read in bounded cost.

Every file is built in memory (reporting/hostile_workbooks.py), then read by the same
function the upload page calls, in a forked child so that each figure is that file's alone:
wall time, and the growth of the child's peak resident memory (VmHWM) over its size at the
start. Goal (issue 12): any file up to 5 MB refused or read in at most 2 s and 100 MiB.
Nothing is written to the database.
"""

import multiprocessing
import time
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.utils import translation

from reporting import excel
from reporting.hostile_workbooks import BUILDERS

UNIT, PERIOD = "BENCH-UNIT", "2026-Q4"


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _read(data: bytes, queue) -> None:
    start_rss = _status_kib("VmRSS")
    started = time.perf_counter()
    try:
        preview = excel.workbook_read(
            upload=SimpleUploadedFile("hostile.xlsx", data),
            unit=SimpleNamespace(code=UNIT), period=SimpleNamespace(code=PERIOD),
            indicators=[], current={},
        )
        outcome = f"read, {len(preview.problems)} problem(s)"
    except excel.ExcelFileError as exc:
        outcome = f"refused: {exc.message}"
    seconds = time.perf_counter() - started
    queue.put((seconds, (_status_kib("VmHWM") - start_rss) / 1024, outcome))


class Command(BaseCommand):
    help = "Build hostile .xlsx files and print how long and how much memory reading each takes."

    def add_arguments(self, parser):
        parser.add_argument("--only", help="run the files whose name contains this text")

    def handle(self, *args, **options):
        translation.activate("vi")
        context = multiprocessing.get_context("fork")
        self.stdout.write(f"{'file':40} {'size':>9} {'time':>8} {'memory':>10}  outcome")
        for name, build in BUILDERS.items():
            if options["only"] and options["only"].lower() not in name.lower():
                continue
            data = build(UNIT, PERIOD)
            queue = context.Queue()
            child = context.Process(target=_read, args=(data, queue))
            child.start()
            seconds, mib, outcome = queue.get()
            child.join()
            self.stdout.write(
                f"{name:40} {len(data) / 1048576:7.2f}MB {seconds:7.2f}s {mib:7.1f}MiB  "
                f"{outcome[:90]}"
            )
