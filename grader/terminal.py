"""What the `grade` command prints: lines safe for any terminal, and a
progress bar for long batches.

On a terminal a batch shows a live bar with an ETA (tqdm); in a CI log or a
file it prints a plain line every tenth of the way instead of redrawing.
"""

import os
import re
import sys
import time

from tqdm import tqdm

# control characters other than newline and tab, including ANSI escapes
_CONTROL = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|[\x00-\x08\x0b-\x1f\x7f]")
# a plain progress line every this share of the batch
PLAIN_STEP = 0.1
# the bar's columns and rows where the terminal reports no size
FALLBACK_SIZE = (80, 24)


def say(text: str) -> None:
    """Print a line; a reader that went away (`grade ... | head`) stops nothing."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        sys.stdout = open(os.devnull, "w")


def terminal_safe(text: str) -> str:
    """Text from a submission, with no escape sequences and on one line."""
    return _CONTROL.sub("", text).replace("\n", " ")


class BatchProgress:
    """Progress of a batch on stderr, and a line per student not graded."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.bar = None
        self.total = self.finished = 0
        self.started = time.monotonic()

    def start(self, todo: int, unchanged: int) -> None:
        self.total = todo
        if unchanged:
            say(f"{unchanged} submissions unchanged since the last run: skipped")
        if self.stream.isatty():
            self.bar = tqdm(
                total=todo, unit="submission", file=self.stream, **self._size()
            )

    def done(self, outcome) -> None:
        self.finished += 1
        if outcome.status != "graded":
            self._line(
                f"{terminal_safe(outcome.student)}: could not be graded: "
                f"{terminal_safe(outcome.error or 'no reason given')}"
            )
        if self.bar is not None:
            self.bar.update()
        elif self._at_step():
            self._line(f"  {self.finished}/{self.total} done, {self._left()} left")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    def _size(self) -> dict:
        """Nothing where the bar can follow the terminal; a fixed size where
        the terminal reports none (some pseudo-terminals), on which tqdm
        would draw nothing at all."""
        try:
            size = os.get_terminal_size(self.stream.fileno())
        except (OSError, ValueError):
            size = os.terminal_size((0, 0))
        if size.columns and size.lines:
            return {}
        return {"ncols": FALLBACK_SIZE[0], "nrows": FALLBACK_SIZE[1]}

    def _at_step(self) -> bool:
        step = max(1, round(self.total * PLAIN_STEP))
        return self.finished % step == 0 or self.finished == self.total

    def _left(self) -> str:
        spent = time.monotonic() - self.started
        seconds = spent / self.finished * (self.total - self.finished)
        return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"

    def _line(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        else:
            print(text, file=self.stream, flush=True)
