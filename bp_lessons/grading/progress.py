"""Progress on a class of submissions, on stderr: a bar on a terminal, a line each otherwise.

[##########..........]  15/30 submissions  4.2 s  alice: 2/2
"""

import sys
import threading
import time
from typing import TextIO

WIDTH = 20


class Progress:
    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total, self.done = total, 0
        self.stream = stream or sys.stderr
        self.bar = self.stream.isatty()
        self.start = time.monotonic()
        self.lock = threading.Lock()

    def advance(self, label: str) -> None:
        """One more submission graded; label says which and how it did."""
        with self.lock:
            self.done += 1
            seconds = time.monotonic() - self.start
            count = f"{self.done:>{len(str(self.total))}}/{self.total} submissions"
            if self.bar:
                filled = WIDTH * self.done // max(self.total, 1)
                bar = "#" * filled + "." * (WIDTH - filled)
                line = f"\r[{bar}]  {count}  {seconds:.1f} s  {label}"[:120]
                self.stream.write(line.ljust(120) if self.done < self.total else line + "\n")
            else:
                self.stream.write(f"graded {count} ({seconds:.1f} s): {label}\n")
            self.stream.flush()
