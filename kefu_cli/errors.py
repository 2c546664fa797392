"""Exit codes and the typed errors that core modules raise.

Core modules never print or exit: they raise one of these. The CLI layer
(`kefu_cli.cli.app.KefuGroup.main`) is the one place that turns them into a message on
stderr and an exit code.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1  # findings at or above --fail-on
    USAGE = 2  # usage, configuration or input error
    UPSTREAM = 3  # an upstream service failed
    INTERNAL = 70  # a bug in kefu (EX_SOFTWARE); --traceback shows where
    IO = 74  # the output could not be written (disk full, stdout closed): EX_IOERR
    HANGUP = 129  # SIGHUP: the current message finished, the rest released
    INTERRUPTED = 130  # Ctrl-C / SIGINT
    TERMINATED = 143  # SIGTERM (cron, systemd, `timeout`): as SIGINT
    BROKEN_PIPE = 141  # the reader closed the pipe early (`| head -1`), as for other Unix tools


class KefuError(Exception):
    """Base of every error kefu reports to the user.

    `message` is already in the user's language; `hint` (optional) says how to fix it.
    """

    exit_code = ExitCode.USAGE

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __reduce__(self):  # from a worker process, with its hint
        return self.__class__, (self.message, self.hint)


class ConfigError(KefuError):
    """A configuration file is missing, unreadable or invalid."""


class InputError(KefuError):
    """An input file cannot be read at all (missing, undecodable, no required column)."""


class UsageError(KefuError):
    """An option value is wrong."""


class UpstreamError(KefuError):
    """A service kefu asks (a platform's API) refused or failed for the whole run: what came before
    is kept, the rest is not asked."""

    exit_code = ExitCode.UPSTREAM


class OutputError(KefuError):
    """The output cannot be written (disk full, stdout closed): nothing more is recorded as sent."""

    exit_code = ExitCode.IO


class Stopped(BaseException):
    """SIGTERM or SIGHUP arrived: like Ctrl-C, the work in hand is finished or undone, then kefu
    exits with `exit_code`. A BaseException, so no `except Exception` swallows it."""

    def __init__(self, signum: int):
        super().__init__(signum)
        import signal

        self.exit_code = ExitCode.HANGUP if signum == getattr(signal, "SIGHUP", None) else ExitCode.TERMINATED

