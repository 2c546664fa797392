"""Shared fixtures: every test runs in an empty working directory with no KEFU_* settings,
so no test reads the developer's config, state or locale."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kefu_cli.cli.app import cli

ROOT = Path(__file__).resolve().parent.parent
# the provider imitations live beside tools/imitate.py, which starts them for newcomers: one definition
sys.path.insert(0, str(ROOT / "tools" / "imitation"))
EXAMPLES = ROOT / "examples"

TAOBAO_HEADERS = ["订单编号", "买家会员名", "买家应付货款", "买家应付邮费", "总金额", "买家实际支付金额", "订单状态",
                  "买家留言", "收货人姓名", "收货地址 ", "联系电话 ", "联系手机", "订单创建时间", "订单付款时间 ",
                  "宝贝标题 ", "物流单号 ", "物流公司", "订单备注", "宝贝总数量", "退款金额"]


def taobao_row(order_id="1001", status="买家已付款，等待卖家发货", paid="1299.00", **over) -> list[str]:
    row = {
        "订单编号": f'="{order_id}"', "买家会员名": "春风", "买家应付货款": "1299.00", "买家应付邮费": "0.00",
        "总金额": "1299.00", "买家实际支付金额": paid, "订单状态": status, "买家留言": "", "收货人姓名": "李娜",
        "收货地址 ": "广东省 深圳市 南山区 科技园路1号", "联系电话 ": "", "联系手机": "'13812345678",
        "订单创建时间": "2026-09-29 21:14:05", "订单付款时间 ": "2026-09-29 21:15:40", "宝贝标题 ": "乳胶床垫",
        "物流单号 ": "", "物流公司": "", "订单备注": "", "宝贝总数量": "1", "退款金额": "0.00",
    }
    row.update(over)
    return [row[h] for h in TAOBAO_HEADERS]


def write_csv(path: Path, rows: list[list[str]], headers=TAOBAO_HEADERS, encoding="utf-8", delimiter=",") -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    w.writerow(headers)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


# a proxy in the developer's environment would stand between kefu and the loopback servers
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy",
              "no_proxy")


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    for var in ("KEFU_CONFIG_DIR", "KEFU_LANG", "KEFU_NOW", "KEFU_TRACEBACK", "KEFU_STATE", "LC_ALL",
                "LC_MESSAGES", "LANGUAGE", *PROXY_VARS):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("KEFU_STATE", str(tmp_path / "state" / "state.db"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    yield work
    from kefu_cli.i18n import set_language

    set_language("en")


class Result:
    def __init__(self, r):
        self.exit_code = r.exit_code
        self.stdout = r.stdout
        self.stderr = r.stderr
        self.stdout_bytes = r.stdout_bytes

    def __repr__(self):
        return f"<exit {self.exit_code} stdout={self.stdout[:300]!r} stderr={self.stderr[:300]!r}>"


@pytest.fixture
def run():
    def invoke(*args, input=None, env=None):
        runner = CliRunner()
        r = runner.invoke(cli, [str(a) for a in args], input=input, env=env, catch_exceptions=False)
        return Result(r)

    return invoke
