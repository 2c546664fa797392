import csv
import io
import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, TAOBAO_HEADERS, taobao_row, write_csv
from kefu_cli.config import load_config
from kefu_cli.errors import InputError
from kefu_cli.orders.reader import OrderFile, RowConverter, detect_encoding


@pytest.fixture
def cfg():
    return load_config(None)


def records(path, cfg, **kw):
    of = OrderFile(str(path), cfg, **kw)
    try:
        return list(of.records())
    finally:
        of.close()


@pytest.mark.parametrize("encoding,detected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"),
                                               ("gbk", "gb18030")])
def test_encodings_detected(tmp_path, cfg, encoding, detected):
    path = write_csv(tmp_path / "o.csv", [taobao_row()], encoding=encoding)
    of = OrderFile(str(path), cfg)
    assert of.encoding == detected
    rec = next(of.records())
    of.close()
    assert rec["buyer"] == "春风" and rec["status"] == "paid" and rec["problems"] == []


def test_encoding_override(tmp_path, cfg):
    path = write_csv(tmp_path / "o.csv", [taobao_row()], encoding="gb18030")
    assert records(path, cfg, encoding="gb18030")[0]["buyer"] == "春风"
    with pytest.raises(InputError, match="no order_id column") as info:  # wrongly told: a clear error
        OrderFile(str(path), cfg, encoding="latin-1")
    assert "--encoding" in info.value.hint
    with pytest.raises(InputError, match="unknown encoding"):
        OrderFile(str(path), cfg, encoding="klingon")


def test_sample_boundary_inside_a_character():
    data = ("订单编号\n" + "春" * 30000).encode("utf-8")
    assert detect_encoding(data[:65535], "x") == "utf-8"


def test_taobao_quirks(cfg):
    recs = records(EXAMPLES / "taobao_orders.csv", cfg)
    first = recs[0]
    assert first["row"] == 2
    assert first["order_id"] == "3391204456781230001"  # ="…" unwrapped
    assert first["mobile"] == "13812345678"  # leading ' dropped
    assert first["status"] == "paid"  # full-width comma status
    assert first["total"] == Decimal("1299.00") and isinstance(first["total"], Decimal)
    assert first["province"] == "广东" and first["city"] == "深圳市"
    assert first["created_at"].isoformat() == "2026-09-29T21:14:05+08:00"
    assert first["platform"] == "taobao"
    assert recs[1]["seller_memo"].startswith("客户要求") and recs[1]["buyer_message"] == "请工作日送货，谢谢"
    assert recs[1]["invoice"] == "北京某某科技有限公司"
    assert recs[3]["status"] == "unpaid" and recs[3]["paid_at"] is None and recs[3]["paid"] is None
    assert recs[5]["waybill"] == "73512345678901" and recs[5]["carrier"] == "中通快递"
    assert recs[2]["province"] == "東京都"
    assert all(r["problems"] == [] for r in recs)


def test_items_join(cfg):
    recs = records(EXAMPLES / "taobao_orders.csv", cfg, items=str(EXAMPLES / "taobao_items.csv"))
    by_id = {r["order_id"]: r for r in recs}
    assert by_id["3391204456781230005"]["items"] == [
        {"sku": "CB3301", "title": "彩板儿童衣柜 三门", "qty": 1, "price": Decimal("999.00")},
        {"sku": "KT2201", "title": "KT韩式田园梳妆台", "qty": 1, "price": Decimal("599.00")},
    ]
    # 商家编码 wins; 外部系统编号 is used only when it is empty
    assert by_id["3391204456781230002"]["items"][0]["sku"] == "DS1505"


def test_items_file_orders_not_in_orders_file(tmp_path, cfg):
    orders = write_csv(tmp_path / "o.csv", [taobao_row("1")])
    items = write_csv(tmp_path / "i.csv", [["1", "床垫", "10", "1", "A1"], ["2", "床", "5", "1", "B1"]],
                      headers=["订单编号", "标题", "价格", "购买数量", "商家编码"])
    of = OrderFile(str(orders), cfg, items=str(items))
    recs = list(of.records())
    of.close()
    assert recs[0]["items"][0]["sku"] == "A1"
    assert of.stats.unmatched_items == [3]


def test_items_rows_that_join_no_order_are_counted_and_their_bad_cells_are_the_orders_problems(tmp_path, cfg, run):
    orders = write_csv(tmp_path / "o.csv", [taobao_row("1"), taobao_row("2")])
    items = write_csv(tmp_path / "i.csv", [["1", "床垫", "10", "x", "A1"], ["", "床", "5", "1", "B1"],
                                           ["2", "床", "5", "1", "B1"]],
                      headers=["订单编号", "标题", "价格", "购买数量", "商家编码"])
    of = OrderFile(str(orders), cfg, items=str(items))
    recs = list(of.records())
    of.close()
    assert of.stats.skipped_items == [3] and of.stats.unmatched_items == []
    bad = recs[0]["problems"]
    assert [p["row"] for p in bad] == [2] and bad[0]["message"].startswith(f"{items}:2: ")
    assert recs[1]["problems"] == []
    r = run("--lang", "en", "orders", orders, "--items", items, "-f", "jsonl")
    assert "items file: 1 rows joined to no order: unreadable or without an order number (rows 3)" in r.stderr
    as_json = tmp_path / "i.jsonl"
    as_json.write_text('{"订单编号": "1", "标题": "床垫"}\n', encoding="utf-8")
    r = run("orders", orders, "--items", as_json)
    assert r.exit_code == 2 and "an items file is read as CSV, TSV or .xlsx" in r.stderr


def test_without_items_file_the_title_is_one_item(cfg):
    rec = records(EXAMPLES / "taobao_orders.csv", cfg)[4]
    assert rec["items"] == [{"sku": None, "title": "彩板儿童衣柜 三门;KT韩式田园梳妆台", "qty": 2, "price": None}]


def test_bad_values_never_stop_the_run(tmp_path, cfg):
    rows = [taobao_row("1"), taobao_row("2", paid="abc", 订单创建时间="2026-02-30 10:00:00", 订单状态="火星"),
            taobao_row("3", paid="１２３.５０")]
    recs = records(write_csv(tmp_path / "o.csv", rows), cfg)
    assert [r["order_id"] for r in recs] == ["1", "2", "3"]
    bad = recs[1]
    assert bad["paid"] is None and bad["created_at"] is None and bad["status"] is None
    codes = {(p["field"], p["code"], p["row"]) for p in bad["problems"]}
    assert codes == {("paid", "not_a_number", 3), ("created_at", "not_a_date", 3), ("status", "unknown_status", 3)}
    assert bad["problems"][0]["column"] in ("买家实际支付金额", "订单创建时间", "订单状态")
    fixed = recs[2]["problems"]
    assert recs[2]["paid"] == Decimal("123.50") and fixed[0]["fixed"] is True and fixed[0]["code"] == "fullwidth_digits"


def test_short_and_long_rows(tmp_path, cfg):
    path = tmp_path / "o.csv"
    path.write_text("order_id,paid,status\n1,10.00\n2,5.00,paid,extra\n3,1.00,paid\n", encoding="utf-8")
    recs = records(path, cfg)
    assert [r["order_id"] for r in recs] == ["1", "2", "3"]
    assert recs[0]["problems"][0]["code"] == "missing_cells" and recs[0]["status"] is None
    assert recs[1]["problems"][0]["code"] == "extra_cells" and recs[1]["status"] == "paid"
    assert recs[2]["problems"] == []


def test_missing_order_id_value_and_excel_mangled(tmp_path, cfg):
    path = tmp_path / "o.csv"
    path.write_text("order_id,paid\n,1\n3.39120E+18,2\n", encoding="utf-8")
    recs = records(path, cfg)
    assert recs[0]["problems"][0]["code"] == "missing_order_id"
    assert recs[1]["problems"][0]["code"] == "excel_mangled"


def test_row_numbers_are_lines_with_multiline_cells(tmp_path, cfg):
    path = tmp_path / "o.csv"
    path.write_text('order_id,buyer_message,paid\n1,"line one\nline two",1\n2,,x\n', encoding="utf-8")
    recs = records(path, cfg)
    assert recs[0]["buyer_message"] == "line one\nline two"
    assert recs[1]["row"] == 4 and recs[1]["problems"][0]["row"] == 4


def test_one_row_per_item_grouped(tmp_path, cfg):
    path = tmp_path / "o.csv"
    path.write_text("order_id,status,sku,title,qty,price\n"
                    "A,paid,DS1205,松木床,1,100\nA,paid,CD1801,床垫,2,50\nB,paid,KT1,梳妆台,1,30\nA,paid,X,再来,1,1\n",
                    encoding="utf-8")
    recs = records(path, cfg)
    assert [r["order_id"] for r in recs] == ["A", "B", "A"]  # only neighbours are grouped
    assert [i["sku"] for i in recs[0]["items"]] == ["DS1205", "CD1801"]
    assert recs[0]["items"][1]["qty"] == 2 and recs[0]["items"][1]["price"] == Decimal("50")


def test_missing_required_column(tmp_path, cfg):
    path = tmp_path / "o.csv"
    path.write_text("buyer,paid\nx,1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"o.csv: no order_id column \(looked for: order_id, .*订单编号"):
        OrderFile(str(path), cfg)


def test_config_aliases(tmp_path):
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "shop.toml").write_text('[columns]\norder_id = ["单据号"]\n', encoding="utf-8")
    cfg = load_config(conf)
    path = tmp_path / "o.csv"
    path.write_text("单据号,paid\nX9,1\n", encoding="utf-8")
    assert records(path, cfg)[0]["order_id"] == "X9"


@pytest.mark.parametrize("content,message", [
    (b"", "the file is empty"), (b"PK\x03\x04" + b"\x00" * 100, "Excel workbook"),
    (b"\x00\x01\x02" * 1000, "not a text file"),
])
def test_unreadable_files(tmp_path, cfg, content, message):
    path = tmp_path / "o.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        OrderFile(str(path), cfg)


def test_jd_export_profile(tmp_path, cfg):
    path = write_csv(tmp_path / "jd.csv", [["88", "王五", "北京市朝阳区建国路1号", "13800000000", "周末送", "已核对", "99.00", "等待出库"]],
                     headers=["订单号", "客户姓名", "客户地址", "联系电话", "订单备注", "商家备注", "应付金额", "订单状态"],
                     encoding="gbk")
    rec = records(path, cfg)[0]
    assert rec["platform"] == "jd" and rec["buyer_message"] == "周末送" and rec["seller_memo"] == "已核对"
    assert rec["paid"] == Decimal("99.00") and rec["status"] == "paid" and rec["province"] == "北京"


def test_pinduoduo_separate_region_columns(tmp_path, cfg):
    path = write_csv(tmp_path / "p.csv", [["9", "广东省", "深圳市", "南山区", "科技园1号"]],
                     headers=["订单号", "省", "市", "区", "详细地址"])
    rec = records(path, cfg)[0]
    assert rec["province"] == "广东" and rec["city"] == "深圳市" and rec["address"] == "广东省 深圳市 南山区 科技园1号"


def test_jsonl_and_json_inputs(tmp_path, cfg):
    recs = records(EXAMPLES / "orders.jsonl", cfg)
    csv_recs = records(EXAMPLES / "taobao_orders.csv", cfg, items=str(EXAMPLES / "taobao_items.csv"))
    keys = ("order_id", "status", "total", "paid", "refund", "province", "created_at", "paid_at", "items")
    assert [[r[k] for k in keys] for r in recs] == [[r[k] for k in keys] for r in csv_recs]
    arr = tmp_path / "o.json"
    arr.write_text(json.dumps([{"order_id": "1", "paid": 12.5, "status": "paid"}, 7]), encoding="utf-8")
    recs = records(arr, cfg)
    assert recs[0]["paid"] == Decimal("12.5") and recs[1]["problems"][0]["code"] == "not_an_object"
    bad = tmp_path / "o.jsonl"
    bad.write_text('{"order_id": "1"}\n{broken\n\n{"order_id": "3", "flag": "红"}\n', encoding="utf-8")
    recs = records(bad, cfg)
    assert [r["row"] for r in recs] == [1, 2, 4] and recs[1]["problems"][0]["code"] == "not_an_object"
    assert recs[2]["flag"] == "red"


def test_tsv_by_name_and_sniffed(tmp_path, cfg):
    tsv = write_csv(tmp_path / "o.tsv", [taobao_row("7")], delimiter="\t")
    assert records(tsv, cfg)[0]["order_id"] == "7"
    txt = write_csv(tmp_path / "o.txt", [taobao_row("8")], delimiter="\t")
    assert records(txt, cfg)[0]["order_id"] == "8"


def test_undecodable_bytes_flagged(tmp_path, cfg):
    good = "订单编号,买家会员名\n1,张三\n".encode("utf-8")
    path = tmp_path / "o.csv"
    path.write_bytes(good + b"2,\xe5\xbc\n3,ok\n")  # a truncated UTF-8 character in row 3
    recs = records(path, cfg)
    assert [r["order_id"] for r in recs] == ["1", "2", "3"]
    assert recs[1]["problems"][0]["code"] == "undecodable_bytes" and recs[2]["problems"] == []


TOKENS = list("0123456789.-=' 元,年月日:/T+E１２") + ["买家已付款，等待卖家发货", "广东省 深圳市 ", "2026-09-30 10:00:00",
                                                   "北京", "", "\ufffd", "1299.00", "=\"", "2026-02-30 10:00:00"]
cells = st.lists(st.sampled_from(TOKENS), max_size=6).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(cells, min_size=len(TAOBAO_HEADERS) - 2, max_size=len(TAOBAO_HEADERS) + 1), min_size=1, max_size=5))
def test_any_row_becomes_a_typed_record_or_a_problem(rows):
    """Whatever the cells hold, the converter gives a record whose every field has its type, and
    every cell it could not read (or recovered) is a problem naming the row."""
    from datetime import date, datetime

    from kefu_cli.orders.columns import plan_columns

    cfg = load_config(None)
    from kefu_cli.orders.platforms import profiles

    conv = RowConverter(plan_columns(TAOBAO_HEADERS, profiles(None)), cfg.tzinfo(), "taobao", "utf-8")
    types = {"total": Decimal, "paid": Decimal, "refund": Decimal, "goods_amount": Decimal, "shipping_fee": Decimal,
             "created_at": datetime, "paid_at": datetime, "promised_date": date}
    for i, row in enumerate(rows):
        rec = conv.convert(list(row), i + 2)
        assert rec["row"] == i + 2 and all(p["row"] == i + 2 for p in rec["problems"])
        for name, kind in types.items():
            assert rec[name] is None or isinstance(rec[name], kind), (name, rec[name])
        assert rec["created_at"] is None or rec["created_at"].tzinfo is not None
        assert rec["status"] in (None, "unpaid", "paid", "shipped", "completed", "closed")
        if len(row) != len(TAOBAO_HEADERS):
            assert {"missing_cells", "extra_cells"} & {p["code"] for p in rec["problems"]}
        paid_cell = (list(row) + [""] * 30)[TAOBAO_HEADERS.index("买家实际支付金额")]
        if paid_cell.strip() and rec["paid"] is None:
            assert any(p["field"] == "paid" for p in rec["problems"])


def test_unbalanced_quote_accounts_for_the_lines_it_joined(tmp_path, cfg):
    path = tmp_path / "o.csv"
    path.write_text('order_id,buyer,paid\n="3","unterminated,1\n="1",张三,5\n="2",李四,6\n', encoding="utf-8")
    recs = records(path, cfg)
    joined = [p for r in recs for p in r["problems"] if p["code"] == "joined_lines"]
    assert joined and joined[0]["row"] == 2 and joined[0]["message"].startswith("lines 2-")
    # every line is in the output or named by a problem
    covered = set()
    for r in recs:
        covered.add(r["row"])
        for p in r["problems"]:
            if p["code"] == "joined_lines":
                a, b = map(int, str(p["value"]).split("-"))
                covered.update(range(a, b + 1))
    assert covered >= {2, 3, 4}


def test_nul_bytes_mean_binary(tmp_path, cfg):
    path = tmp_path / "o.csv"
    path.write_bytes(bytes(range(256)) * 100)
    with pytest.raises(InputError, match="not a text file"):
        OrderFile(str(path), cfg)


def test_a_small_utf8_file_with_one_gb18030_row_is_utf8_with_that_row_flagged(tmp_path, cfg):
    good = "订单编号,买家会员名\n1,张三\n"
    path = tmp_path / "o.csv"
    path.write_bytes(good.encode("utf-8") + "2,李四\n".encode("gb18030"))
    recs = records(path, cfg)
    assert [r["order_id"] for r in recs] == ["1", "2"] and recs[0]["buyer"] == "张三"
    assert [p["code"] for p in recs[1]["problems"]] == ["undecodable_bytes"]


def test_a_time_without_offset_is_in_the_zone_of_whoever_wrote_it(tmp_path):
    """A Taobao export writes Beijing time even for a shop kept in Tokyo time; a file kefu cannot
    attribute to a platform is in the shop's zone."""
    shop = load_config(None)
    shop.timezone = "Asia/Tokyo"
    taobao = write_csv(tmp_path / "taobao.csv", [taobao_row()])
    (rec,) = records(taobao, shop)
    assert rec["paid_at"].isoformat() == "2026-09-29T21:15:40+08:00"
    generic = tmp_path / "generic.csv"
    generic.write_text("order_id,paid_at,address\n1,2026-09-29 21:15:40,東京都新宿区西新宿2-8-1\n", encoding="utf-8")
    (rec,) = records(generic, shop)
    assert rec["paid_at"].isoformat() == "2026-09-29T21:15:40+09:00"
