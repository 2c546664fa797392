"""What every command shares at run time: the global options (Env), and how a command reports
an error or a warning on stderr. No command imports app.py or another command: they import this
module and options.py."""

from __future__ import annotations

import sys
from datetime import datetime
from functools import update_wrapper

import click

from kefu_cli.errors import OutputError, UsageError
from kefu_cli.i18n import _


class Env:
    """Settings every command shares (global options), with the configuration loaded on demand."""

    def __init__(self, config_dir=None, now=None, quiet=False, traceback=False, stdin=None, stdout=None,
                 strict=False):
        self.config_dir = config_dir
        self.strict = strict
        self._said: set = set()  # what fallback() has said this run
        self.now_text = now
        self.quiet = quiet
        self.traceback = traceback
        self._config = None
        self._stdin = stdin
        self._stdout = stdout

    @property
    def config(self):
        if self._config is None:
            from kefu_cli.config import find_config_dir, load_config

            self._config = load_config(find_config_dir(self.config_dir), config_checks())
        return self._config

    @property
    def now(self) -> datetime:
        """The run's "now": --now / KEFU_NOW when given (naive = shop time zone), else the clock."""
        tz = self.config.tzinfo()
        if not self.now_text:
            return datetime.now(tz)
        from kefu_cli.orders.values import parse_datetime

        value = parse_datetime(self.now_text, tz)
        if not isinstance(value, datetime):
            raise UsageError(_("--now: {value} is not a date and time").format(value=self.now_text),
                             hint=_("for example --now 2026-09-30T10:00 or --now '2026-09-30 10:00+08:00'"))
        return value

    @property
    def stdout(self):
        if self._stdout is None and sys.stdout is None:
            raise OutputError(_("standard output is closed"), hint=_("send it to a file or a pipe (> out.tsv)"))
        return self._stdout or getattr(sys.stdout, "buffer", sys.stdout)

    @property
    def stdin(self):
        if self._stdin is None and sys.stdin is None:
            raise UsageError(_("standard input is closed, but `-` asks to read it"),
                             hint=_("give the file's name, or pipe the data in"))
        return self._stdin or getattr(sys.stdin, "buffer", sys.stdin)

    def warn(self, message: str) -> None:
        if not self.quiet:
            say(f"kefu: {_('warning')}: {message}")

    def fallback(self, message: str, hint: str | None = None, once: object = None) -> None:
        """A run going on without something the user asked for (a missing state file): a warning
        naming what and how to fix it — once a run for the same `once` key — or with --strict an
        error (exit 2)."""
        if self.strict:
            raise UsageError(message, hint=hint)
        if once is not None:
            if once in self._said:
                return
            self._said.add(once)
        self.warn(f"{message} — {hint}" if hint else message)

    def note(self, message: str) -> None:
        """A hint for the person at the terminal (not a warning): silenced by -q."""
        if not self.quiet:
            say(f"kefu: {message}")

    def info(self, message: str) -> None:
        """Something the user asked to see on stderr (a summary): shown even with -q."""
        say(f"kefu: {message}")


def say(line: str) -> None:
    """One line on stderr, every control character in it escaped (output.visible): a file named
    `bad\nkefu: error: forged.csv` or an ESC in a cell cannot forge a line or drive the terminal."""
    from kefu_cli.output import visible

    click.echo(visible(line), err=True)


def config_checks() -> tuple:
    """The sections each capability checks itself, run with the rest of the configuration's
    validation: messages.toml (messaging) and shop.toml [audit.rules] (audit)."""
    from kefu_cli.aftersales.rules import check_config as aftersales
    from kefu_cli.audit.rules import check_config as audit_rules
    from kefu_cli.messaging.templates import check_config as messages

    return (messages, audit_rules, aftersales)


def report_error(message: str, hint: str | None = None) -> None:
    line = f"kefu: {_('error')}: {message}"
    if hint:
        line += f" — {hint}"
    say(line)


def pass_env(f):
    @click.pass_context
    def wrapper(ctx, *args, **kwargs):
        return ctx.invoke(f, ctx.find_object(Env), *args, **kwargs)

    return update_wrapper(wrapper, f)
