"""`kefu pull`: orders straight from Amazon.co.jp (SP-API) and Rakuten (RMS), for cron."""

from __future__ import annotations

import os

import click

from kefu_cli.cli.context import pass_env
from kefu_cli.cli.options import DESK, Number, output_options, renderer_for, state_option
from kefu_cli.errors import ExitCode, UpstreamError, UsageError
from kefu_cli.i18n import _


def _moment(env, name: str, value: str | None):
    if value is None:
        return None
    from datetime import datetime

    from kefu_cli.orders.values import parse_datetime

    moment = parse_datetime(value, env.config.tzinfo())
    if not isinstance(moment, datetime):
        raise UsageError(_("{option}: {value} is not a date and time").format(option=name, value=value),
                         hint=_("for example {option} 2026-12-01 or {option} '2026-12-01 09:00+09:00'").format(option=name))
    return moment


def _overlap(_ctx, _param, value):
    from kefu_cli.config import parse_duration

    span = parse_duration(value)
    if span is None:
        raise UsageError(_("--overlap {value} is not a duration (30m, 24h, 2d)").format(value=value))
    return span


@click.command()
@click.argument("platform", type=click.Choice(["amazon_jp", "rakuten"]))
@click.option("--since", metavar="TIME", help="Start of the window (naive = shop time zone) [default: the cursor].")
@click.option("--until", metavar="TIME", help="End of the window [default: now].")
@click.option("--shop", metavar="NAME", help="Read the credentials suffixed _NAME, and keep this shop's own cursor.")
@click.option("--overlap", default="10m", show_default=True, metavar="DURATION", callback=_overlap,
              help="How far before the cursor each run reads again.")
@click.option("--all", "everything", is_flag=True, help="Print every order of the window, even ones printed before.")
@click.option("--rate", type=Number(min=0.001, max=1000), metavar="R",
              help="Requests per second at most, for every operation [default: the platform's documented plan].")
@click.option("--timeout", type=Number(min=0.1, max=3600), default=30.0, show_default=True, help="Seconds per request.")
@state_option("pull")
@output_options
@pass_env
def pull(env, platform, since, until, shop, overlap, everything, rate, timeout, state_path, fmt, fields, no_headers):
    """Pull orders from a platform's API and write them as `kefu orders` writes an export.

    The orders are read through the same profile as the platform's export (amazon_jp,
    rakuten), so a pulled order and the same order in a downloaded file give the same record.
    Each run goes on from the cursor in the state file (less --overlap) and prints only orders
    that are new or changed since they were printed; the cursor moves once everything was
    printed. The first run needs --since. Credentials come from the environment only
    (KEFU_SPAPI_CLIENT_ID, KEFU_SPAPI_CLIENT_SECRET, KEFU_SPAPI_REFRESH_TOKEN; KEFU_RMS_SERVICE_SECRET,
    KEFU_RMS_LICENSE_KEY). Exit 0 ok (also: another run holds the pull), 2 usage or a missing
    variable, 3 the platform refused or failed (what came before is printed, the cursor stays).

    \b
    Example:
      kefu pull amazon_jp --since 2026-12-01 -f jsonl >> orders.jsonl
      */5 * * * * kefu pull amazon_jp -f jsonl >> orders.jsonl    # cron, every 5 minutes
    """
    from kefu_cli.cli.options import open_state
    from kefu_cli.orders.schema import RECORD_FIELDS
    from kefu_cli.pull.run import Pull
    from kefu_cli.state import interrupts_deferred

    cfg = env.config
    renderer = renderer_for(env, fmt, fields, no_headers, RECORD_FIELDS, desk=DESK["orders"])
    first, last, now = _moment(env, "--since", since), _moment(env, "--until", until), env.now
    job_state = None
    try:
        puller = None
        job_state = open_state(state_path)
        puller = Pull(platform, cfg, os.environ, job_state, shop=shop, since=first, until=last, now=now,
                      overlap=overlap, rate=rate, timeout=timeout, everything=everything)
        holder = puller.claim()
        if holder is not None:
            env.info(_("pull of {platform}{shop} in progress by pid {pid}: nothing printed by this run").format(
                platform=platform, shop=f"/{shop}" if shop else "", pid=holder))
            return ExitCode.OK
        out = env.stdout
        out.write(renderer.begin())
        try:
            for records, versions in puller.batches():
                with interrupts_deferred():  # a page is printed, flushed and recorded whole
                    if records:
                        out.write(renderer.render(records))
                        out.flush()
                    puller.printed(versions, len(records))
        except UpstreamError:
            out.write(renderer.end())
            out.flush()
            env.warn(_("{printed} orders printed of {fetched} fetched before the failure; the cursor did not move").format(
                printed=puller.printed_count, fetched=puller.fetched))
            raise
        out.write(renderer.end())
        out.flush()
        cursor = puller.finish()
        if not env.quiet:
            env.info(_("{platform}: {printed} new or changed of {fetched} orders fetched; cursor at {cursor}").format(
                platform=platform, printed=puller.printed_count, fetched=puller.fetched, cursor=cursor))
        return ExitCode.OK
    finally:
        if puller is not None:
            puller.release()
        if job_state is not None:
            job_state.close()
