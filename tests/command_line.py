"""Running `percorso` in the test's process, as the installed command runs it."""

import io
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass

from bot.entry.cli import app
from bot.entry.failures import run


@dataclass(frozen=True)
class Ran:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def percorso(*args: str, stdin: str = "") -> Ran:
    out, err = io.StringIO(), io.StringIO()
    typed, sys.stdin = sys.stdin, io.StringIO(stdin)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = run(app, list(args))
    finally:
        sys.stdin = typed
    return Ran(code, out.getvalue(), err.getvalue())
