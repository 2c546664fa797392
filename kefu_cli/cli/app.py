"""The command line: global options, the command group, and the one place errors become exit codes.

Commands are thin: parse options, call a core module, hand records to kefu_cli.output.
Everything a user sees on stderr goes through `report_error` / `warn` here.
"""

from __future__ import annotations

import errno
import gc
import os
import sys
import traceback

import click

from kefu_cli import __version__
from kefu_cli.errors import ExitCode, KefuError, Stopped
from kefu_cli.i18n import _, detect_language, set_language
from kefu_cli.cli.context import Env, report_error
from kefu_cli.cli.options import ResolvedOption, resolved_config_dir, resolved_language
from kefu_cli.cli.help import speak, use_context

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _ReaderGone(Exception):
    """stdout's reader closed the pipe. Not an OSError, so click's own EPIPE handling (exit 1,
    which means "findings" in kefu) does not catch it before KefuGroup.main does."""


class KefuGroup(click.Group):
    """Runs commands with click's own error handling off, and maps every error to one line and
    one exit code (ExitCode). A command returns its exit code."""

    def list_commands(self, ctx):
        """The commands in the desk's order (orders → audit → route/eta → track → remind/notify →
        stats/report → config): the order _register adds them in, not the alphabet."""
        return list(self.commands)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise _ReaderGone() from None

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        args = hoist_globals(list(sys.argv[1:] if args is None else args))
        _early_language(args)
        speak(self)
        show_traceback = os.environ.get("KEFU_TRACEBACK") == "1" or "--traceback" in args
        _stop_on_signals()
        # A batch builds hundreds of thousands of acyclic record dicts; the cyclic collector's
        # default gen-0 threshold (700) walks them again and again for nothing (bench/aftersales.py:
        # about a sixth of the run). Start-up's objects are frozen out of its way; cycles are
        # still collected, only less often.
        gc.freeze()
        gc.set_threshold(50_000, 20, 100)
        try:
            rv = super().main(args, prog_name or "kefu", complete_var, standalone_mode=False, **extra)
            code = int(rv) if isinstance(rv, int) else 0
        except click.exceptions.Exit as exc:
            code = exc.exit_code
        except click.UsageError as exc:  # never a traceback: the command line was wrong, not kefu
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
                traceback.print_exc()
            report_error(exc.message, exc.hint)
            code = exc.exit_code
        except (KeyboardInterrupt, click.exceptions.Abort):
            click.echo(f"kefu: {_('interrupted')}", err=True)
            code = ExitCode.INTERRUPTED
        except Stopped as exc:
            click.echo(f"kefu: {_('stopped by a signal; the work in hand was finished or undone')}", err=True)
            code = exc.exit_code
        except (BrokenPipeError, _ReaderGone):
            _silence_stdout()
            code = ExitCode.BROKEN_PIPE
        except OSError as exc:
            if exc.errno not in _OUTPUT_ERRNOS:
                raise
            report_error(_("cannot write the output: {error}").format(error=exc.strerror or exc),
                         _("free some space or write somewhere else; what was not written was not recorded as sent"))
            code = ExitCode.IO
        except Exception as exc:  # a bug: say so in one line, after the stack when asked for it
            if show_traceback:
                traceback.print_exc()
            report_error(_("internal error: {error}").format(error=f"{type(exc).__name__}: {exc}"),
                         _("run again with --traceback and report it"))
            code = ExitCode.INTERNAL
        try:
            if sys.stdout is not None:
                sys.stdout.flush()
        except (BrokenPipeError, ValueError):
            _silence_stdout()
            if code == ExitCode.OK:
                code = ExitCode.BROKEN_PIPE
        except OSError as exc:  # the last bytes did not fit either
            report_error(_("cannot write the output: {error}").format(error=exc.strerror or exc))
            code = ExitCode.IO
        if standalone_mode:
            sys.exit(int(code))
        return int(code)


_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG, errno.EBADF, errno.EROFS}


def _stop_on_signals() -> None:
    """SIGTERM (cron, systemd, `timeout`) and SIGHUP are handled like Ctrl-C: raised as Stopped
    where kefu is, so the message in flight is finished or undone and the claims are released."""
    import signal

    def stop(signum, _frame):
        raise Stopped(signum)

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            try:
                signal.signal(getattr(signal, name), stop)
            except ValueError:  # not the main thread (a test runner)
                pass


GLOBAL_FLAGS = ("-q", "--quiet", "--traceback", "--strict")
GLOBAL_VALUED = ("--now", "--lang", "--config-dir")


def hoist_globals(args: list[str]) -> list[str]:
    """`kefu track x --traceback` means `kefu --traceback track x`: the global options written after
    the command name are moved before it (every command; none of them reuses these names), up to
    a `--`. Only the first word that is not an option is taken as the command name."""
    out, i = [], 0
    while i < len(args) and args[i].startswith("-") and args[i] != "--":  # the group's own options
        out.append(args[i])
        if args[i] in GLOBAL_VALUED and i + 1 < len(args):
            out.append(args[i + 1])
            i += 1
        i += 1
    moved, rest = [], []
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest += args[i:]
            break
        if arg in GLOBAL_FLAGS or arg.split("=", 1)[0] in GLOBAL_VALUED and "=" in arg:
            moved.append(arg)
        elif arg in GLOBAL_VALUED and i + 1 < len(args):
            moved += [arg, args[i + 1]]
            i += 1
        else:
            rest.append(arg)
        i += 1
    return out + moved + rest


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
@click.option("--config-dir", metavar="DIR", envvar="KEFU_CONFIG_DIR", cls=ResolvedOption,
              resolve=resolved_config_dir, env_name="KEFU_CONFIG_DIR",
              help="Configuration directory (./config when present, else the packaged defaults).")
@click.option("--lang", metavar="zh|en", callback=_lang_choice, expose_value=False, is_eager=True, cls=ResolvedOption,
              resolve=resolved_language, env_name="KEFU_LANG", help="Language of messages (else from the locale).")
@click.option("--now", metavar="DATETIME", envvar="KEFU_NOW",
              help="Take this as the current time (reproducible runs) [env KEFU_NOW].")
@click.option("-q", "--quiet", is_flag=True, help="No warnings (errors are always shown).")
@click.option("--traceback", is_flag=True, help="Show the stack on errors [env KEFU_TRACEBACK=1].")
@click.option("--strict", is_flag=True,
              help="Stop (exit 2) instead of going on without something asked for, such as a missing --state file.")
@click.pass_context
def cli(ctx, config_dir, now, quiet, traceback, strict):
    """kefu: the ops desk's toolkit for order files — read, audit, route, track, message.

    \b
    Example:
      kefu orders examples/taobao_orders.csv --items examples/taobao_items.csv
    """
    ctx.obj = Env(config_dir=config_dir, now=now, quiet=quiet, traceback=traceback, strict=strict)


def _register() -> None:
    from kefu_cli.cli import aftersales, audit, config, eta, messages, orders, pull, report, route, stats, track

    # the desk's order, which `kefu --help` keeps: orders in (a file, or pulled from an API) →
    # audit → route/eta → track → remind/notify → stats/report → config
    cli.add_command(orders.orders)
    cli.add_command(pull.pull)
    cli.add_command(audit.audit)
    cli.add_command(route.route)
    cli.add_command(eta.eta)
    cli.add_command(track.track)
    cli.add_command(messages.remind)
    cli.add_command(messages.notify)
    cli.add_command(messages.messages)
    cli.add_command(aftersales.aftersales)
    cli.add_command(stats.stats)
    cli.add_command(report.report)
    cli.add_command(config.config)
    use_context(cli)


_register()


def main() -> None:
    cli.main()
