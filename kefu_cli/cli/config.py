"""`kefu config check` and `kefu config show`."""

from __future__ import annotations

from pathlib import Path

import click

from kefu_cli.cli.options import output_options, renderer_for
from kefu_cli.cli.context import pass_env, report_error, say
from kefu_cli.errors import ExitCode
from kefu_cli.i18n import _


@click.group()
def config():
    """Check or show the configuration (shop.toml, warehouses.toml, carriers.toml)."""


@config.command()
@pass_env
def check(env):
    """Validate the configuration and report every problem with its file and key.

    Exit 0 when it is valid, 2 when anything is wrong.

    \b
    Example:
      kefu config check
      kefu --config-dir examples/shop config check
    """
    from kefu_cli.cli.context import config_checks
    from kefu_cli.config import Problem, check_config, find_config_dir, load_raw
    from kefu_cli.messaging import templates as messages

    directory = find_config_dir(env.config_dir)
    from kefu_cli.orders import platforms

    problems, paths = check_config(directory, config_checks())
    problems += platforms.load(directory)[1]  # the platform profiles (config/platforms/*.toml)
    problems += platforms.load(directory, platforms.AFTERSALES)[1]  # after-sales files (config/aftersales/*.toml)
    if not problems:
        raw = load_raw(directory)[0]
        for warning in messages.check(raw["messages.toml"], paths["messages.toml"], Problem)[1]:
            env.warn(warning)
    for p in problems:
        report_error(str(p))
    if problems:
        say(_("kefu: problems in the configuration: {count}").format(count=len(problems)))
        return ExitCode.USAGE
    if not env.quiet:
        # a file kefu ships is named as such, not by where pip happened to put it
        files = [p if directory is not None and Path(p).parent == directory
                 else _("{file} (packaged)").format(file=Path(p).name) for p in paths.values()]
        say(_("kefu: configuration is valid: {files}").format(files=", ".join(files)))
    return ExitCode.OK


@config.command()
@output_options
@pass_env
def show(env, fmt, fields, no_headers):
    """Print the effective settings and the file each one came from.

    \b
    Example:
      kefu config show -f tsv | grep '^warehouse'
    """
    from kefu_cli.config import flatten
    from kefu_cli.output import write_records

    cfg = env.config
    renderer = renderer_for(env, fmt, fields, no_headers, ["key", "value", "source"])
    write_records(flatten(cfg.raw, cfg.sources), renderer, env.stdout)
    return ExitCode.OK
