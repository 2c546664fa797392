"""The fast lane of `kefu orders -f jsonl` gives byte for byte what the row path gives, or
declines the block: on clean exports, on every kind of odd cell, in both encodings and both
line ends, and through the worker processes."""

from __future__ import annotations

import io
import random

import pytest

from conftest import TAOBAO_HEADERS, taobao_row, write_csv
from kefu_cli.config import load_config
from kefu_cli.orders import fastlane, parallel
from kefu_cli.orders.reader import OrderFile, Stats
from kefu_cli.output import JsonlRenderer, make_renderer


def open_file(path, config_dir=None):
    order_file = OrderFile(str(path), load_config(config_dir))
    renderer = JsonlRenderer(["row"])
    return order_file, fastlane.for_job(order_file, renderer, None), renderer


def body(order_file) -> tuple[bytes, int]:
    """The file's rows after the header, and the line the first one is on."""
    with open(order_file.path, "rb") as fh:
        data = fh.read()
    start = parallel.header_end(data)
    return data[start:], data[:start].count(b"\n") + 1


def row_path(order_file, renderer, block: bytes, line: int) -> bytes:
    out = io.BytesIO()
    parallel._rows(block, line, order_file, renderer, None, Stats(), out)
    return out.getvalue()


def check(order_file, lane, renderer, block: bytes, line: int) -> bool:
    """The lane's answer equals the row path's, or the lane declined; True when it answered."""
    got = lane.render(block, line)
    if got is not None:
        assert got.decode() == row_path(order_file, renderer, block, line).decode()
    return got is not None


def rows_of(n: int, rnd: random.Random, **over) -> list[list[str]]:
    places = ["广东省 深圳市 南山区", "北京 北京市 朝阳区", "新疆维吾尔自治区 乌鲁木齐市 天山区", "上海 上海市 浦东新区"]
    statuses = ["买家已付款，等待卖家发货", "等待买家付款", "卖家已发货，等待买家确认", "交易成功", "交易关闭"]
    out = []
    for i in range(n):
        status = rnd.choice(statuses)
        fields = {"收货地址 ": f"{rnd.choice(places)} 幸福路{rnd.randrange(1, 999)}号",
                  "买家留言": rnd.choice(["", "", "请尽快发货，谢谢"]),
                  "订单付款时间 ": "" if status == "等待买家付款" else f"2026-0{rnd.randrange(1, 10)}-{rnd.randrange(1, 29):02d} 10:0{i % 10}:00",
                  "订单创建时间": f"2024-02-{rnd.randrange(1, 29):02d} {rnd.randrange(24):02d}:{rnd.randrange(60):02d}:{rnd.randrange(60):02d}",
                  "退款金额": rnd.choice(["0.00", "0", "", "12.5"]), "宝贝总数量": str(rnd.randrange(1, 5))}
        fields.update(over)
        out.append(taobao_row(str(3000 + i), status=status, **fields))
    return out


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_clean_export_goes_the_fast_lane_with_the_row_paths_bytes(tmp_path, encoding, eol):
    rows = rows_of(400, random.Random(3))
    path = write_csv(tmp_path / "o.csv", rows, encoding=encoding)
    if eol != "\n":
        path.write_bytes(path.read_bytes().replace(b"\n", eol.encode()))
    order_file, lane, renderer = open_file(path)
    assert lane is not None
    block, line = body(order_file)
    assert check(order_file, lane, renderer, block, line)  # answered, and equal
    # also without the last line end, and cut into small parts as the workers cut them
    assert check(order_file, lane, renderer, block[:-len(eol)], line)
    for part, first, _n in parallel.slices(block, line, 3000):
        assert check(order_file, lane, renderer, part, first)


# cells the row path reads with a problem, repairs, or reads in a way the lane must match
ODD = {
    "订单编号": ['', '=""', "'3001", "3001", '="30 01"', "3.001E+18", "\u30003001", '="ab-c"', "'", '="3001"x'],
    "买家会员名": [" 春风 ", "\u3000春风", "春\t风", 'say "hi"', "back\\slash", "", "春,风", "行\n二", "\x07bell"],
    "买家应付货款": ["1,299.00", "１２９９", "1299元", "￥1299", "abc", "-5", "-0", "01.50", "1e3", "", " 7.5 "],
    "总金额": ['="1299.00"', "1299.0", "0.001", "1299"],
    "订单状态": ["已付款", "付款", "unknown state", "", "paid", " 交易成功 "],
    "收货地址 ": ["", "广东省深圳市南山区科技园", "广东省  深圳市 南山区 1号", "北京", " 上海 上海市 浦东新区 1号 ",
               "广东省 深圳市", '"广东省 深圳市 南山区 2号"', "大阪府 大阪市 北区 1-1"],
    "联系手机": ["138****1234", "'138 1234 5678", "+8613812345678", "", "'", "'１３８", "13812345678 "],
    "订单创建时间": ["2024-02-30 10:00:00", "2023-02-29 10:00:00", "2024-02-29 10:00:00", "2026-04-31 10:00:00",
                "2026-13-01 10:00:00", "2026-00-10 10:00:00", "2026-01-00 10:00:00", "2026-01-01 24:00:00",
                "2026-01-01 23:60:00", "2026-01-01 23:59:60", "2026/1/2 3:04", "2026-01-01T10:00:00", "",
                "0999-01-01 10:00:00", "0000-01-01 10:00:00", "2026-1-01 10:00:00", "2026-01-31 23:59:59", "2026-12-31 00:00:00"],
    "订单付款时间 ": ["2024-02-30 10:00:00", "2026-06-31 10:00:00", "x", "2026-06-30 10:00:00"],
    "宝贝标题 ": ["", " 床垫 ", 'a"b', "x\\y"],
    "宝贝总数量": ["0", "-1", "1.0", "１", "", "x", "007", " 2 "],
    "退款金额": ["", "10元", "RMB 10"],
}


@pytest.mark.parametrize("seed", range(12))
def test_odd_cells_get_the_row_paths_answer_or_go_the_row_path(tmp_path, seed):
    rnd = random.Random(seed)
    rows = rows_of(600, rnd)
    for row in rows:
        if rnd.random() < 0.02:
            header = rnd.choice(list(ODD))
            row[TAOBAO_HEADERS.index(header)] = rnd.choice(ODD[header])
    path = write_csv(tmp_path / "o.csv", rows, encoding=rnd.choice(["utf-8", "gb18030"]))
    order_file, lane, renderer = open_file(path)
    block, line = body(order_file)
    answered = sum(check(order_file, lane, renderer, part, first)
                   for part, first, _n in parallel.slices(block, line, rnd.choice([500, 2000, 8000])))
    assert answered  # some parts are clean: the lane is really exercised


@pytest.mark.parametrize("header", list(ODD))
def test_each_odd_cell_alone(tmp_path, header):
    rnd = random.Random(header)
    for value in ODD[header]:
        rows = rows_of(30, rnd)
        rows[7][TAOBAO_HEADERS.index(header)] = value
        try:
            path = write_csv(tmp_path / "o.csv", rows, encoding="gb18030")
        except UnicodeEncodeError:  # pragma: no cover - every value above has a GB18030 spelling
            continue
        order_file, lane, renderer = open_file(path)
        block, line = body(order_file)
        check(order_file, lane, renderer, block, line)


def test_blocks_the_lane_declines(tmp_path):
    rows = rows_of(50, random.Random(1))
    path = write_csv(tmp_path / "o.csv", rows)
    order_file, lane, _renderer = open_file(path)
    block, line = body(order_file)
    assert lane.render(block, line) is not None
    declined = [
        block.replace(b"\n", b"\r", 1),  # a lone CR
        block.replace(b"\n", b"\n\n", 1),  # a blank line
        block.replace("春风".encode(), b"\xff", 1),  # an undecodable byte
        block.replace("春风".encode(), b"\x00", 1),  # a NUL
        block.replace("春风".encode(), "\ufffd".encode(), 1),  # a replacement character
        block.replace("春风".encode(), b'"a,b"', 1),  # a quoted delimiter
        block.replace("春风".encode(), b'"a\nb"', 1),  # a cell over two lines
        block.replace("春风".encode(), b'a"b', 1),  # a stray quote
        block.replace("春风".encode(), b'"a"b"', 1),  # a quote inside a quoted cell, not doubled
        block.replace(b",0.00\n", b",0.00,extra\n", 1),  # a cell too many
    ]
    for bad in declined:
        assert lane.render(bad, line) is None, bad[:200]
    # every line must have as many cells as the header, whatever the cells hold
    text = b"a,b\nc,d\n".replace(b"\n", lane.line_end).decode()
    lane.c.width = 2
    assert lane._split(text, 2, 0) == [["a", "c"], ["b", "d"]]
    for bad in (b"a,b,c\nd\n", b"a\nb,c,d\n", b"a,b\nc\n"):
        assert lane._split(bad.replace(b"\n", lane.line_end).decode(), 2, 0) is None, bad


def test_files_the_lane_does_not_take(tmp_path):
    rows = rows_of(20, random.Random(1))
    path = write_csv(tmp_path / "o.csv", rows)
    order_file = OrderFile(str(path), load_config(None))
    jsonl = JsonlRenderer(["row"])
    assert fastlane.for_job(order_file, make_renderer("tsv", ["row"], True), None) is None
    assert fastlane.for_job(order_file, JsonlRenderer(["row"], select=True), None) is None
    assert fastlane.for_job(order_file, jsonl, transform=object()) is None
    # a time zone that changed its offset since 1992: timestamps are not plain appends
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "shop.toml").write_text('[shop]\ntimezone = "America/New_York"\n', encoding="utf-8")
    assert fastlane.for_job(OrderFile(str(path), load_config(conf)), jsonl, None) is None
    # a separate province column beside the address
    headers = [*TAOBAO_HEADERS, "省"]
    path2 = write_csv(tmp_path / "p.csv", [[*r, "广东"] for r in rows], headers=headers)
    assert fastlane.for_job(OrderFile(str(path2), load_config(None)), jsonl, None) is None


def test_canonical_columns_tsv_and_a_tokyo_shop(tmp_path):
    headers = ["order_id", "platform", "status", "paid_at", "total", "paid", "refund", "province", "city",
               "flag", "stock", "promised_date", "consulted", "carrier", "waybill", "invoice"]
    rnd = random.Random(5)
    rows = []
    for i in range(300):
        rows.append([f"JP{i}", rnd.choice(["", "shop", "jd"]), rnd.choice(["paid", "shipped", "待发货"]),
                     rnd.choice(["", "2026-05-01 09:00:00", "2026-05-31 23:00:00"]), "1000", "1000", "0",
                     rnd.choice(["大阪府", ""]), "大阪市", rnd.choice(["", "red", "blue", "紫"]),
                     rnd.choice(["", "in_stock", "presale 2026-06-01", "现货"]),
                     rnd.choice(["", "2026-06-01", "6/1"]), rnd.choice(["", "yes", "否"]),
                     rnd.choice(["", "yamato"]), rnd.choice(["", "1234-5678-9012", "'SF123"]), ""])
    path = write_csv(tmp_path / "o.tsv", rows, headers=headers, delimiter="\t")
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "shop.toml").write_text('[shop]\ntimezone = "Asia/Tokyo"\n', encoding="utf-8")
    order_file, lane, renderer = open_file(path, conf)
    assert lane is not None
    block, line = body(order_file)
    answered = [check(order_file, lane, renderer, part, first) for part, first, _n in parallel.slices(block, line, 400)]
    assert any(answered)


def test_workers_with_the_lane_equal_the_sequential_read(run, tmp_path, monkeypatch):
    rnd = random.Random(9)
    rows = rows_of(3000, rnd)
    for k in (5, 1200, 2999):
        rows[k][TAOBAO_HEADERS.index("买家实际支付金额")] = "x"  # a problem in some blocks only
    rows[1500][TAOBAO_HEADERS.index("买家留言")] = "两行\n留言"
    path = write_csv(tmp_path / "o.csv", rows)
    sequential = run("orders", str(path), "-f", "jsonl", "--jobs", "1")
    monkeypatch.setattr(parallel, "MIN_SIZE", 0)
    monkeypatch.setattr(parallel, "BLOCK", 64 * 1024)
    monkeypatch.setattr(parallel, "LANE_SLICE", 8 * 1024)
    marks = tmp_path / "answered"
    marks.mkdir()
    real = fastlane.FastLane.render

    def render(self, block, line):  # the workers are forked: they leave a file per answer
        got = real(self, block, line)
        if got is not None:
            (marks / str(line)).touch()
        return got

    monkeypatch.setattr(fastlane.FastLane, "render", render)
    in_workers = run("orders", str(path), "-f", "jsonl", "--jobs", "2")
    assert in_workers.stdout == sequential.stdout and in_workers.stderr == sequential.stderr
    assert "3 of 3000 orders have problems" in sequential.stderr
    assert len(list(marks.iterdir())) > 10
