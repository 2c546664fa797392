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
    INTERRUPTED = 130  # Ctrl-C / SIGINT
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


class ConfigError(KefuError):
    """A configuration file is missing, unreadable or invalid."""


class InputError(KefuError):
    """An input file cannot be read at all (missing, undecodable, no required column)."""


class UsageError(KefuError):
    """An option value is wrong."""

