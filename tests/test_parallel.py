"""The worker processes give byte for byte what one process gives: on clean exports and on odd
cells, in both encodings and both line ends, CSV and TSV, for orders and the commands that add
their per-record work (audit's own test is in test_audit.py)."""

from __future__ import annotations

import random

import pytest

from conftest import TAOBAO_HEADERS, taobao_row, write_csv
from kefu_cli.orders import parallel

# cells the converter reads with a problem, repairs, or must read exactly the same in a block
ODD = {
    "订单编号": ['', '=""', "'3001", '="30 01"', "3.001E+18", "\u30003001", '="3001"x'],
    "买家会员名": [" 春风 ", "春\t风", 'say "hi"', "春,风", "行\n二", "\x07bell"],
    "买家应付货款": ["1,299.00", "１２９９", "1299元", "￥1299", "abc", "-0", "1e3"],
    "订单状态": ["已付款", "unknown state", "", " 交易成功 "],
    "收货地址 ": ["", "广东省深圳市南山区科技园", "北京", " 上海 上海市 浦东新区 1号 ", "大阪府 大阪市 北区 1-1"],
    "联系手机": ["138****1234", "'138 1234 5678", "'", "'１３８"],
    "订单创建时间": ["2024-02-30 10:00:00", "2026-01-01 24:00:00", "2026/1/2 3:04", "2026-01-01T10:00:00", "",
                "0000-01-01 10:00:00", "2026-1-01 10:00:00"],
    "宝贝总数量": ["0", "-1", "1.0", "１", "x", "007"],
}


def rows_of(n: int, rnd: random.Random) -> list[list[str]]:
    places = ["广东省 深圳市 南山区", "北京 北京市 朝阳区", "新疆维吾尔自治区 乌鲁木齐市 天山区", "上海 上海市 浦东新区"]
    statuses = ["买家已付款，等待卖家发货", "等待买家付款", "卖家已发货，等待买家确认", "交易成功", "交易关闭"]
    out = []
    for i in range(n):
        status = rnd.choice(statuses)
        row = taobao_row(str(3000 + i), status=status, **{
            "收货地址 ": f"{rnd.choice(places)} 幸福路{rnd.randrange(1, 999)}号",
            "订单付款时间 ": "" if status == "等待买家付款" else f"2026-0{rnd.randrange(1, 10)}-{rnd.randrange(1, 29):02d} 10:00:00",
            "退款金额": rnd.choice(["0.00", "0", "", "12.5"]), "宝贝总数量": str(rnd.randrange(1, 5))})
        if rnd.random() < 0.03:
            header = rnd.choice(list(ODD))
            row[TAOBAO_HEADERS.index(header)] = rnd.choice(ODD[header])
        out.append(row)
    return out


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of 16 KiB for any file size; returns the list of runs that went to the workers."""
    monkeypatch.setattr(parallel, "MIN_SIZE", 0)
    monkeypatch.setattr(parallel, "BLOCK", 16 * 1024)
    calls = []
    real = parallel.run

    def run(*args, **kwargs):
        calls.append(args[0].path)
        return real(*args, **kwargs)

    monkeypatch.setattr(parallel, "run", run)
    return calls


@pytest.mark.parametrize("encoding,eol,delimiter", [("utf-8", "\n", ","), ("gb18030", "\r\n", ","),
                                                    ("utf-8", "\r\n", "\t"), ("gb18030", "\n", "\t")])
def test_workers_equal_one_process(run, tmp_path, small_blocks, encoding, eol, delimiter):
    rows = rows_of(1500, random.Random(encoding + eol + delimiter))
    path = write_csv(tmp_path / ("o.tsv" if delimiter == "\t" else "o.csv"), rows, encoding=encoding,
                     delimiter=delimiter)
    if eol != "\n":
        path.write_bytes(path.read_bytes().replace(b"\n", eol.encode()))
    for fmt in ("jsonl", "csv", "tsv"):
        one = run("-q", "orders", path, "-f", fmt, "--jobs", "1")
        two = run("-q", "orders", path, "-f", fmt, "--jobs", "2")
        assert two.stdout_bytes == one.stdout_bytes and two.exit_code == one.exit_code
    assert len(small_blocks) == 3  # the --jobs 2 runs went to the workers
    warned = run("orders", path, "-f", "jsonl", "--jobs", "2")
    assert warned.stderr == run("orders", path, "-f", "jsonl", "--jobs", "1").stderr


def test_a_block_is_read_by_the_readers_own_row_loop(tmp_path):
    from kefu_cli.config import load_config
    from kefu_cli.orders.reader import OrderFile

    rows = rows_of(40, random.Random(2))
    rows[5][TAOBAO_HEADERS.index("买家实际支付金额")] = "x"
    path = write_csv(tmp_path / "o.csv", rows)
    whole = list(OrderFile(str(path), load_config(None)).records())
    order_file = OrderFile(str(path), load_config(None))
    data = path.read_bytes()
    start, first = parallel.data_start(order_file)
    cut = start + parallel.safe_cut(data[start:start + 3000])
    second = first + data[start:cut].count(b"\n")
    blocks = [*order_file.block_records(data[start:cut], first), *order_file.block_records(data[cut:], second)]
    assert blocks == whole


def test_a_cell_past_the_size_limit_reads_the_same_with_and_without_workers(run, tmp_path):
    """A 17 MiB cell (past csv's 16 MiB field limit): unreadable in both paths, the rest the same."""
    rows = rows_of(50, random.Random(4))
    rows[10][TAOBAO_HEADERS.index("买家会员名")] = "x" * (17 << 20)
    path = write_csv(tmp_path / "big.csv", rows)
    one = run("orders", path, "-f", "jsonl", "--jobs", "1")
    two = run("orders", path, "-f", "jsonl", "--jobs", "2")
    assert one.stdout_bytes == two.stdout_bytes and one.stderr == two.stderr
    assert "unreadable_row" in one.stdout and len(one.stdout.splitlines()) >= 50


def test_a_quote_inside_an_unquoted_cell_never_moves_a_cut_into_a_quoted_one(run, tmp_path, small_blocks):
    """Blocks are cut where the quotes since the last cut are even; a quote inside an unquoted cell
    (12"床垫: a character to csv) inverts that, and a cut fell inside a later multi-line cell (one
    record more with two workers). A block that csv ends inside a quoted cell is found by the mark
    read after it, and the file is read from that block on in one go: the same records."""
    rows = rows_of(3000, random.Random(5))
    for i in range(7, 3000, 50):
        rows[i][TAOBAO_HEADERS.index("买家留言")] = "第一行\n第二行"
    rows[100][TAOBAO_HEADERS.index("买家会员名")] = "STRAY"
    path = write_csv(tmp_path / "o.csv", rows)
    path.write_bytes(path.read_bytes().replace(b"STRAY", '12"床垫'.encode()))
    for fmt in ("jsonl", "csv"):
        one = run("-q", "orders", path, "-f", fmt, "--jobs", "1")
        two = run("-q", "orders", path, "-f", fmt, "--jobs", "2")
        assert two.stdout_bytes == one.stdout_bytes and two.exit_code == one.exit_code
    assert len(one.stdout.splitlines()) > 3000 and small_blocks
