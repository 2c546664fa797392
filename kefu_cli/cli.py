"""The command line: global options, the command group, and the one place errors become exit codes.

Commands are thin: parse options, call a core module, hand records to kefu_cli.output.
Everything a user sees on stderr goes through `report_error` / `warn` here.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime
from functools import update_wrapper

import click

from kefu_cli import __version__
from kefu_cli.errors import ExitCode, KefuError, UsageError
from kefu_cli.i18n import _, detect_language, set_language
from kefu_cli.helptext import speak, use_context

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Env:
    """Settings every command shares (global options), with the configuration loaded on demand."""

    def __init__(self, config_dir=None, now=None, quiet=False, traceback=False, stdin=None, stdout=None):
        self.config_dir = config_dir
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

            self._config = load_config(find_config_dir(self.config_dir))
        return self._config

    @property
    def now(self) -> datetime:
        """The run's "now": --now / KEFU_NOW when given (naive = shop time zone), else the clock."""
        tz = self.config.tzinfo()
        if not self.now_text:
            return datetime.now(tz)
        from kefu_cli.values import parse_datetime

        value = parse_datetime(self.now_text, tz)
        if not isinstance(value, datetime):
            raise UsageError(_("--now: {value} is not a date and time").format(value=self.now_text),
                             hint=_("for example --now 2026-09-30T10:00 or --now '2026-09-30 10:00+08:00'"))
        return value

    @property
    def stdout(self):
        return self._stdout or getattr(sys.stdout, "buffer", sys.stdout)

    @property
    def stdin(self):
        return self._stdin or getattr(sys.stdin, "buffer", sys.stdin)

    def warn(self, message: str) -> None:
        if not self.quiet:
            click.echo(f"kefu: {_('warning')}: {message}", err=True)

    def info(self, message: str) -> None:
        """Something the user asked to see on stderr (a summary): shown even with -q."""
        click.echo(f"kefu: {message}", err=True)


def report_error(message: str, hint: str | None = None) -> None:
    line = f"kefu: {_('error')}: {message}"
    if hint:
        line += f" — {hint}"
    click.echo(line, err=True)


class _ReaderGone(Exception):
    """stdout's reader closed the pipe. Not an OSError, so click's own EPIPE handling (exit 1,
    which means "findings" in kefu) does not catch it before KefuGroup.main does."""


class KefuGroup(click.Group):
    """Runs commands with click's own error handling off, and maps every error to one line and
    one exit code (ExitCode). A command returns its exit code."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise _ReaderGone() from None

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        args = list(sys.argv[1:] if args is None else args)
        _early_language(args)
        speak(self)
        show_traceback = os.environ.get("KEFU_TRACEBACK") == "1" or "--traceback" in args
        try:
            rv = super().main(args, prog_name or "kefu", complete_var, standalone_mode=False, **extra)
            code = int(rv) if isinstance(rv, int) else 0
        except click.exceptions.Exit as exc:
            code = exc.exit_code
        except click.UsageError as exc:
            if show_traceback:
                raise
            hint = None
            if exc.ctx is not None:
                hint = _("see `{command} --help`").format(command=exc.ctx.command_path)
            report_error(exc.format_message(), hint)
            code = ExitCode.USAGE
        except click.ClickException as exc:
            report_error(exc.format_message())
            code = ExitCode.USAGE
        except KefuError as exc:
            if show_traceback:
                raise
            report_error(exc.message, exc.hint)
            code = exc.exit_code
        except (KeyboardInterrupt, click.exceptions.Abort):
            click.echo(f"kefu: {_('interrupted')}", err=True)
            code = ExitCode.INTERRUPTED
        except (BrokenPipeError, _ReaderGone):
            _silence_stdout()
            code = ExitCode.BROKEN_PIPE
        except Exception as exc:  # a bug: say so in one line unless asked for the stack
            if show_traceback:
                raise
            report_error(_("internal error: {error}").format(error=f"{type(exc).__name__}: {exc}"),
                         _("run again with --traceback and report it"))
            code = ExitCode.INTERNAL
        try:
            sys.stdout.flush()
        except (BrokenPipeError, ValueError):
            _silence_stdout()
            if code == ExitCode.OK:
                code = ExitCode.BROKEN_PIPE
        if standalone_mode:
            sys.exit(int(code))
        return int(code)


def _silence_stdout() -> None:
    """The reader went away (`| head -1`): point stdout at /dev/null so the exit is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _early_language(args: list[str]) -> None:
    """Set the language before click parses anything, so usage errors speak it too."""
    explicit = None
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            explicit = args[i + 1]
        elif arg.startswith("--lang="):
            explicit = arg.split("=", 1)[1]
    try:
        set_language(detect_language(explicit))
    except ValueError:
        set_language("en")


def pass_env(f):
    @click.pass_context
    def wrapper(ctx, *args, **kwargs):
        return ctx.invoke(f, ctx.find_object(Env), *args, **kwargs)

    return update_wrapper(wrapper, f)


def output_options(f):
    """--format, --fields, --no-headers: the output flags of every command that prints records."""
    from kefu_cli.output import FORMATS

    f = click.option("--no-headers", is_flag=True, help="Leave out the header row (table, csv, tsv).")(f)
    f = click.option("--fields", metavar="A,B,C", help="Only these fields, in this order.")(f)
    f = click.option("-f", "--format", "fmt", type=click.Choice(FORMATS),
                     help="Output format [default: table on a terminal, else tsv].")(f)
    return f


def _lang_choice(ctx, param, value):
    if value is None:
        return None
    try:
        from kefu_cli.i18n import normalise

        return normalise(value)
    except ValueError:
        raise click.BadParameter(_("{value} is not zh or en").format(value=value)) from None


@click.group(name="kefu", cls=KefuGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="kefu", message="%(prog)s %(version)s")
@click.option("--config-dir", metavar="DIR", envvar="KEFU_CONFIG_DIR",
              help="Configuration directory [env KEFU_CONFIG_DIR; default ./config if present, else the packaged defaults].")
@click.option("--lang", metavar="zh|en", callback=_lang_choice, expose_value=False, is_eager=True,
              help="Language of messages [env KEFU_LANG; default from the locale].")
@click.option("--now", metavar="DATETIME", envvar="KEFU_NOW",
              help="Take this as the current time (reproducible runs) [env KEFU_NOW].")
@click.option("-q", "--quiet", is_flag=True, help="No warnings (errors are always shown).")
@click.option("--traceback", is_flag=True, help="Show the stack on errors [env KEFU_TRACEBACK=1].")
@click.pass_context
def cli(ctx, config_dir, now, quiet, traceback):
    """kefu: the ops desk's toolkit for order files — read, audit, route, track, message.

    \b
    Example:
      kefu orders examples/taobao_orders.csv --items examples/taobao_items.csv
    """
    ctx.obj = Env(config_dir=config_dir, now=now, quiet=quiet, traceback=traceback)


def _register() -> None:
    from kefu_cli.commands import audit_cmd, config_cmd, eta_cmd, messages_cmd, orders_cmd, route_cmd, track_cmd

    cli.add_command(orders_cmd.orders)
    cli.add_command(audit_cmd.audit)
    cli.add_command(route_cmd.route)
    cli.add_command(eta_cmd.eta)
    cli.add_command(track_cmd.track)
    cli.add_command(messages_cmd.remind)
    cli.add_command(messages_cmd.notify)
    cli.add_command(messages_cmd.messages)
    cli.add_command(config_cmd.config)
    use_context(cli)


_register()


def main() -> None:
    cli.main()
