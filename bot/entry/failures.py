"""How a command fails: one line that says what was wrong and what is accepted, exit code 2 for
a usage error and 1 for a failure, and a traceback only with `--debug`."""

import sys
from typing import Any

import typer
from pydantic import ValidationError

USAGE = 2
FAILURE = 1
INTERRUPTED = 130


class CommandFailed(Exception):
    """A command could not do what it was asked; the message says why, in plain words."""


def run(app: typer.Typer, argv: list[str] | None = None, prog_name: str = "percorso") -> int:
    """Run the command line and return its exit code, printing any error as one line."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    if debug:
        args.remove("--debug")
    command = typer.main.get_command(app)
    try:
        # Without standalone mode, an Exit's code comes back as the result; errors are raised.
        code = command.main(args=args, prog_name=prog_name, standalone_mode=False)
    except typer.Abort:
        return _say("aborted", FAILURE)
    except KeyboardInterrupt:
        return INTERRUPTED
    except typer.TyperException as error:  # the command line's own errors (click's, in Typer)
        if debug:
            raise
        return _command_line_error(error, prog_name)
    except ValidationError as invalid:  # the settings, read from the environment
        if debug:
            raise
        return _say(f"invalid settings: {_reasons(invalid)}", FAILURE)
    except CommandFailed as failure:
        if debug:
            raise
        return _say(str(failure), FAILURE)
    except Exception as error:
        if debug:
            raise
        reason = str(error) or "no details"
        return _say(f"{type(error).__name__}: {reason} (run with --debug to see where)", FAILURE)
    return code if isinstance(code, int) else 0


def _command_line_error(error: typer.TyperException, prog_name: str) -> int:
    if type(error).__name__ == "NoArgsIsHelpError":  # a bare group: Typer showed its help
        return 0
    # Typer checks values with pydantic, whose messages start "Value error, ".
    message = error.format_message().replace("Value error, ", "")  # type: ignore[attr-defined]
    code = getattr(error, "exit_code", FAILURE)
    if code == USAGE:
        context = getattr(error, "ctx", None)
        path = context.command_path if context is not None else prog_name
        message = f"{message} (see: {path} --help)"
    return _say(message, code)


def _reasons(invalid: ValidationError) -> str:
    return "; ".join(_reason(error) for error in invalid.errors())


def _reason(error: Any) -> str:
    where = ".".join(str(part) for part in error["loc"])
    what = error["msg"].removeprefix("Value error, ")
    return f"{where}: {what}" if where else what


def _say(message: str, code: int) -> int:
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    return code
