"""`kefu audit`: customer and finance audit of a whole export."""

from __future__ import annotations

import click

from kefu_cli.cli.options import (estimator_for, fit_terminal, input_options, open_orders, output_options, raw_cells,
                                  report_stats, state_option)
from kefu_cli.cli.context import pass_env
from kefu_cli.errors import ExitCode
from kefu_cli.i18n import _

@click.command()
@click.argument("path", metavar="FILE")
@click.option("--only-problems", is_flag=True, help="Print only orders on hold or rejected.")
@click.option("--summary", is_flag=True, help="Also print counts per verdict and per code to stderr.")
@click.option("--summary-only", is_flag=True, help="Print the counts as the output instead of the orders.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "never"]), default="error", show_default=True,
              help="Exit 1 when a finding of this severity or worse is found.")
@input_options
@output_options
@state_option("calibration")
@pass_env
def audit(env, path, only_problems, summary, summary_only, fail_on, items_path, encoding, input_format, jobs, fmt,
          fields, no_headers, state_path):
    """Audit orders before they ship: receiver, phone, address, memos, promises, amounts, refunds.

    One record per order: verdict pass | hold | reject | skip, flag red (may ship) | blue (refund
    asked) | green (hold) | none, the warehouses, and findings with stable codes. A rule whose
    columns the file lacks is skipped and named on stderr; one whose columns the platform's
    export never has is listed under --summary instead. Exit 1 when any finding reaches
    --fail-on.

    \b
    Example:
      kefu audit examples/taobao_orders.csv --items examples/taobao_items.csv --only-problems
      kefu audit today.csv -f jsonl --fail-on warning > audit.jsonl || mail -s "audit" desk < audit.jsonl
    """
    import orjson

    from kefu_cli.audit.auditor import AUDIT_FIELDS, VERDICTS, Auditor, columns_of, exported_fields
    from kefu_cli.audit.passes import TwoPasses
    from kefu_cli.audit.rules import BY_CODE, RANK
    from kefu_cli.output import default_format, make_renderer, parse_fields, write_records

    cfg = env.config
    order_file = open_orders(env, path, items_path, encoding, input_format)
    auditor = Auditor(cfg, columns_of(order_file), env.now, estimator=estimator_for(env, state_path),
                      exported=exported_fields(order_file))
    for code, needs in auditor.missing:  # the platform's export has these columns, this file not
        env.warn(_("skipped {code}: no {columns} column").format(code=code, columns=" / ".join(needs)))
    summary_fields = ["kind", "name", "count"]
    all_fields = summary_fields if summary_only else list(AUDIT_FIELDS)
    selected = parse_fields(fields, all_fields)
    fmt = fmt or default_format(env.stdout)
    renderer = make_renderer(fmt, selected or all_fields, not no_headers, select=bool(selected), raw=raw_cells())
    if not selected and default_format(env.stdout) == "table":
        fit_terminal(env, renderer, len(all_fields))
    try:
        passes = TwoPasses(order_file, auditor, RANK[fail_on], jobs)
    finally:
        order_file.close()
    try:
        pass_through = fmt == "jsonl" and not selected  # spooled lines are already the output
        wanted = ("hold", "reject") if only_problems else VERDICTS
        if summary_only:
            for _rec in passes.records(wanted=()):
                pass
            write_records(passes.summary(), renderer, env.stdout)
        elif pass_through and not only_problems and passes.untouched():
            passes.copy_to(env.stdout)  # nothing to add or drop: the spool is the output
            env.stdout.flush()
        elif pass_through:
            out, dumps = env.stdout, orjson.dumps
            for item in passes.records(wanted, raw=True):
                out.write(item if isinstance(item, bytes) else dumps(item, option=orjson.OPT_APPEND_NEWLINE))
            out.flush()
        else:
            write_records(passes.records(wanted), renderer, env.stdout)
    finally:
        passes.close()
    verdicts, codes, unreadable = passes.verdicts, passes.codes, passes.unreadable
    report_stats(env, order_file)
    if summary and not summary_only:
        env.info(_("audited {total} orders: {verdicts}").format(
            total=sum(verdicts.values()), verdicts=", ".join(f"{v} {verdicts[v]}" for v in VERDICTS)))
        if any(codes.values()):
            env.info(_("findings: {codes}").format(codes=", ".join(f"{c} {codes[c]}" for c in BY_CODE if codes.get(c))))
    if (summary or summary_only) and auditor.not_exported:
        env.info(_("not run: the {platform} export has no column for {rules}").format(
            platform=order_file.plan.platform,
            rules=", ".join(f"{code} ({' / '.join(needs)})" for code, needs in auditor.not_exported)))
    if unreadable:
        env.warn(_("rows that could not be read: {rows}").format(rows=", ".join(str(r) for r in unreadable[:20])))
    return ExitCode.FINDINGS if passes.failed else ExitCode.OK
