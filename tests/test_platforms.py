"""Every platform's export read right, or refused out loud (config/platforms/*.toml).

The fixtures in examples/ are written here from each platform's documented export shape (the
columns the issue lists, the platforms' seller-centre help pages): JD and Taobao in GB18030,
Pinduoduo and 抖店 in UTF-8 (抖店 with a BOM and ids written as "\\t…"), Amazon.co.jp as a
tab-separated .txt, Rakuten in cp932. Each test reads them through the command a desk runs.
"""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest

from conftest import EXAMPLES, write_csv

NOW = "2026-11-30T10:00"


def records(run, *args):
    r = run("orders", *args, "-f", "jsonl")
    assert r.exit_code == 0, r
    return [json.loads(line) for line in r.stdout.splitlines()], r.stderr


def audit(run, *args):
    r = run("audit", *args, "-f", "jsonl", "--now", NOW)
    assert r.exit_code in (0, 1), r
    return {rec["order_id"]: rec for rec in map(json.loads, r.stdout.splitlines())}


def codes(rec):
    return [f["code"] for f in rec["findings"]]


# --------------------------------------------------------------------------- each platform's fixture


def test_jd_export(run):
    recs, err = records(run, EXAMPLES / "jd_orders.csv")
    assert err == ""  # every header read or known, nothing missing
    assert [r["order_id"] for r in recs] == ["290311245678", "290311245679", "290311245680", "290311245681",
                                             "290311245682"]
    assert [r["row"] for r in recs] == [2, 3, 4, 5, 6]  # order 290311245682 spans rows 6-7
    first, shipped, unpaid, cancelled, two_lines = recs
    assert first["platform"] == "jd" and first["buyer"] == "jd_lina88" and first["receiver"] == "李娜"
    assert first["status"] == "paid" and first["paid"] == "1299.00" and first["total"] == "1299.00"
    assert first["created_at"] == "2026-11-27T20:11:05+08:00" and first["paid_at"] == "2026-11-27T20:12:30+08:00"
    assert (first["mobile"], first["mobile_ext"]) == ("13012345678", "1234")  # a privacy number
    assert first["buyer_message"] == "请工作日送货" and first["seller_memo"] is None  # JD 订单备注 is the buyer's
    assert first["invoice"] == "个人" and first["province"] == "广东" and first["city"] == "深圳市"
    assert first["items"] == [{"sku": "CD1801", "title": "独立弹簧乳胶床垫 1.8米", "qty": 1, "price": "1299.00"}]
    # 应付金额 + 余额支付 is what the buyer paid, once the status says the order is paid
    assert shipped["status"] == "shipped" and shipped["paid"] == "2549.00" and shipped["shipping_fee"] == "50.00"
    assert shipped["seller_memo"] == "已电话确认 --- 2026-11-28 小美"
    assert unpaid["status"] == "unpaid" and unpaid["paid"] == "0.00" and unpaid["paid_at"] is None
    assert cancelled["status"] == "closed" and cancelled["paid"] is None  # never read as paid
    assert [i["sku"] for i in two_lines["items"]] == ["CD1201", "CD0099"] and two_lines["paid"] == "1596.00"


def test_pinduoduo_export(run):
    recs, err = records(run, EXAMPLES / "pinduoduo_orders.csv")
    assert err == ""
    first, shipped, cancelled, signed = recs
    assert first["platform"] == "pinduoduo" and first["created_at"] == "2026-11-29T21:14:05+08:00"
    assert (first["goods_amount"], first["shipping_fee"], first["discount"], first["platform_discount"],
            first["paid"]) == ("1299.00", "0.00", "50.00", "20.00", "1229.00")
    assert (first["mobile"], first["mobile_ext"], first["receiver"]) == ("13012345678", "5821", "李**")
    assert first["address"] == "广东省 深圳市 南山区 科技园南路15号海岸城3栋1204"  # 省 市 区 街道 joined
    assert first["items"] == [{"sku": "CD1801", "title": "独立弹簧乳胶床垫 1.8米", "qty": 1, "price": None}]
    assert first["after_sale"] == "none" and first["promised_date"] is None  # 承诺发货时间 is a ship-by time
    assert shipped["status"] == "shipped" and shipped["waybill"] == "73512345678901" and shipped["carrier"] == "中通快递"
    assert shipped["mobile"] == "138****5432" and shipped["buyer_message"] == "请工作日送货"
    assert cancelled["status"] == "closed" and cancelled["after_sale"] == "refunded"
    assert signed["status"] == "completed" and signed["items"][0]["title"] == "KT韩式田园梳妆台 粉色"


def test_douyin_export_groups_sub_orders(run):
    recs, err = records(run, EXAMPLES / "douyin_orders.csv")
    assert err == ""
    assert [r["order_id"] for r in recs] == ["6925123456789012345", "6925123456789012347", "6925123456789012350",
                                             "6925123456789012352"]  # "\t…" ids, BOM, two sub-orders grouped
    one, two, shipped, unpaid = recs
    assert one["created_at"] == "2026-11-29T21:14:05+08:00" and one["paid"] == "1249.00" and one["goods_amount"] == "1299.00"
    assert two["row"] == 3 and len(two["items"]) == 2
    assert two["items"][1] == {"sku": "CD0099", "title": "床垫保护罩 1.2米", "qty": 2, "price": "99.00"}
    # per 子订单 amounts added up; goods derived from the items
    assert (two["paid"], two["platform_discount"], two["goods_amount"]) == ("1576.00", "20.00", "1596.00")
    assert two["address"] == "上海市 上海市 浦东新区 陆家嘴街道 世纪大道100号环球金融中心"
    assert shipped["waybill"] == "73512345678902" and shipped["after_sale"] == "requested"
    assert unpaid["status"] == "unpaid" and unpaid["paid"] == "0.00"  # 订单应付金额 is owed, not paid


def test_amazon_jp_unshipped_report(run):
    recs, err = records(run, EXAMPLES / "amazon_jp_unshipped.txt")
    assert err == ""
    one, two = recs
    assert one["platform"] == "amazon_jp" and one["status"] == "paid"  # the report lists paid orders
    assert one["created_at"] == "2026-11-28T10:15:00+09:00" and one["paid_at"] == "2026-11-28T10:16:02+09:00"
    assert (one["province"], one["city"], one["postal_code"]) == ("東京都", "新宿区", "163-8001")
    assert one["address"] == "西新宿2-8-1 東京都庁第一本庁舎" and one["receiver"] == "佐藤 花子"
    assert one["paid"] == "39800" and one["goods_amount"] == "39800"
    # item-price is the line's total: the item's price is per unit; paid = goods + shipping
    assert two["items"][1] == {"sku": "DS0115", "title": "パイン材 ナイトテーブル", "qty": 2, "price": "9800"}
    assert (two["goods_amount"], two["shipping_fee"], two["paid"]) == ("79400", "1500", "80900")


def test_rakuten_rms_cp932(run):
    recs, err = records(run, EXAMPLES / "rakuten_orders.csv")
    assert err == ""
    one, two, cancelled = recs
    assert one["platform"] == "rakuten" and one["status"] == "paid" and one["created_at"] == "2026-11-28T14:03:22+09:00"
    assert (one["total"], one["platform_discount"], one["paid"]) == ("39800", "1000", "38800")  # points + coupons
    # a Japanese mobile (090) written in the phone columns is the receiver's mobile
    assert (one["receiver"], one["mobile"], one["phone"], one["postal_code"]) == ("鈴木 一郎", "090-1234-5678", None,
                                                                                  "163-8001")
    assert (two["province"], two["city"], two["district"], two["address"]) == ("北海道", "札幌市", "中央区", "北一条西2丁目")
    assert two["promised_date"] == "2026-12-12" and [i["qty"] for i in two["items"]] == [1, 2]
    assert cancelled["status"] == "closed"


def test_taobao_is_still_taobao(run):
    recs, err = records(run, EXAMPLES / "taobao_orders.csv", "--items", EXAMPLES / "taobao_items.csv")
    assert err == "" and len(recs) == 8 and {r["platform"] for r in recs} == {"taobao"}


# --------------------------------------------------------------------------- statuses and amounts


@pytest.mark.parametrize("platform", ["taobao", "jd", "pinduoduo", "douyin", "amazon_jp", "rakuten", "qoo10", "yahoo"])
def test_every_status_word_of_a_profile_reads(platform):
    """Each word a profile lists reads to its code through the file's own vocabulary, the way
    the platform writes it (full-width commas, brackets and case as exported)."""
    from kefu_cli.orders.platforms import profiles, statuses_for
    from kefu_cli.orders.values import STATUSES, word_parser

    table = profiles(None)
    parse = word_parser(statuses_for(platform, table), "unknown_status")
    assert table[platform].statuses, platform
    for word, code in table[platform].statuses.items():
        assert code in STATUSES and parse(word) == code and parse(f" {word.upper()} ") == code


def test_statuses_differ_by_platform(tmp_path, run):
    path = write_csv(tmp_path / "jd.csv", [["J1", "张三", "10", "锁定"], ["J2", "李四", "10", "火星"]],
                     headers=["订单号", "客户姓名", "应付金额", "订单状态"])
    recs, err = records(run, path)
    assert recs[0]["status"] == "paid"
    assert recs[1]["status"] is None and recs[1]["problems"][0]["code"] == "unknown_status"
    assert "1 of 2 orders have problems (rows 3)" in err


@pytest.mark.parametrize("fixture", ["pinduoduo_orders.csv", "douyin_orders.csv", "amazon_jp_unshipped.txt",
                                     "rakuten_orders.csv", "jd_orders.csv"])
def test_fixtures_reconcile(run, fixture):
    assert not any("AMOUNT_MISMATCH" in codes(r) for r in audit(run, EXAMPLES / fixture).values())


@pytest.mark.parametrize("headers,row,message", [
    # Pinduoduo: 用户实付 = 商品总价 + 邮费 − 店铺优惠 − 平台优惠
    (["订单号", "用户实付金额(元)", "商品总价(元)", "邮费(元)", "店铺优惠折扣(元)", "平台优惠折扣(元)", "订单状态"],
     ["P1", "1249.00", "1299.00", "0", "50", "20", "待发货"],
     "paid = 1249.00, but goods_amount + shipping_fee - discount - platform_discount = 1229.00"),
    # Rakuten: 請求金額 = 合計金額 − points − coupons
    (["注文番号", "請求金額", "合計金額", "ポイント利用額", "クーポン利用総額", "ステータス"],
     ["R1", "39800", "39800", "500", "500", "発送待ち"], "paid = 39800, but total - platform_discount = 38800"),
    # Taobao: paid + refund + what the platform paid (红包) = total
    (["订单编号", "买家会员名", "买家实际支付金额", "退款金额", "红包", "总金额", "订单状态"],
     ["T1", "x", "90.00", "0", "5.00", "100.00", "买家已付款，等待卖家发货"],
     "paid + refund + platform_discount = 95.00, but total = 100.00"),
])
def test_each_platform_formula(tmp_path, run, headers, row, message):
    recs = audit(run, write_csv(tmp_path / "o.csv", [row], headers=headers))
    (rec,) = recs.values()
    found = [f for f in rec["findings"] if f["code"] == "AMOUNT_MISMATCH"]
    assert found and found[0]["message"] == message


def test_taobao_red_packet_reconciles(tmp_path, run):
    path = write_csv(tmp_path / "o.csv", [["T1", "x", "95.00", "0", "5.00", "100.00", "买家已付款，等待卖家发货"]],
                     headers=["订单编号", "买家会员名", "买家实际支付金额", "退款金额", "红包", "总金额", "订单状态"])
    assert "AMOUNT_MISMATCH" not in codes(next(iter(audit(run, path).values())))


# --------------------------------------------------------------------------- masks and privacy numbers


@pytest.mark.parametrize("cell,mobile,ext", [
    ("13012345678-1234", "13012345678", "1234"), ("13012345678转1234", "13012345678", "1234"),
    ("13012345678", "13012345678", None), ("138****5432", "138****5432", None),
])
def test_privacy_numbers_keep_their_extension(tmp_path, run, cell, mobile, ext):
    path = write_csv(tmp_path / "o.csv", [["1", cell]], headers=["订单号", "手机"])
    (rec,), _err = records(run, path)
    assert (rec["mobile"], rec["mobile_ext"]) == (mobile, ext) and rec["problems"] == []


def test_audit_accepts_privacy_numbers_and_calls_masks_masked(tmp_path, run):
    recs = audit(run, EXAMPLES / "pinduoduo_orders.csv")
    assert "PHONE_INVALID" not in codes(recs["261130-061245678901234"])  # 13012345678-5821
    rows = [["P1", "待发货", "张*", "138****5432", "广东省", "深圳市", "南山区", "****"],
            ["P2", "待发货", "李娜", "13012345678转1234", "广东省", "深圳市", "南山区", "科技园南路15号"]]
    path = write_csv(tmp_path / "p.csv", rows, headers=["订单号", "订单状态", "收货人", "手机", "省", "市", "区", "街道"])
    recs = audit(run, path)
    assert "PHONE_MASKED" in codes(recs["P1"]) and "PHONE_INVALID" not in codes(recs["P1"])
    assert not {"PHONE_MASKED", "PHONE_INVALID"} & set(codes(recs["P2"]))


def test_tracking_sends_the_extension():
    from kefu_cli.tracking.provider import phone_digits, receiver_phone

    assert phone_digits(receiver_phone({"mobile": "13012345678", "mobile_ext": "1234"})) == "1234"
    assert phone_digits(receiver_phone({"mobile": "13012345678", "mobile_ext": None, "phone": None})) == "5678"


# --------------------------------------------------------------------------- recognition and no silent loss


def test_an_unknown_header_is_named_once(tmp_path, run):
    path = write_csv(tmp_path / "o.csv", [["1", "张三", "10", "x"], ["2", "李四", "10", "y"]],
                     headers=["订单号", "客户姓名", "应付金额", "神秘列"])
    recs, err = records(run, path)
    assert err.count("神秘列") == 1 and "columns not read: 神秘列" in err and "config/platforms/jd.toml" in err
    assert len(recs) == 2


def test_the_shop_declares_a_column(tmp_path, run):
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "shop.toml").write_text('[columns]\nseller_memo = ["神秘列"]\n', encoding="utf-8")
    path = write_csv(tmp_path / "o.csv", [["1", "张三", "10", "x"]], headers=["订单号", "客户姓名", "应付金额", "神秘列"])
    (rec,), err = records(run, "--config-dir", tmp_path / "cfg", path)
    assert rec["seller_memo"] == "x" and "神秘列" not in err


def test_a_missing_field_is_named_once(tmp_path, run):
    path = write_csv(tmp_path / "o.csv", [["P1", "1229.00", "待发货"]], headers=["订单号", "用户实付金额(元)", "订单状态"])
    _recs, err = records(run, path)
    assert err.count("a 拼多多 Pinduoduo export has") == 1
    assert "商品总价(元)/商品总价 (goods_amount)" in err and "收货人 (receiver)" in err


def test_platform_forced_and_unknown_platform(tmp_path, run):
    path = write_csv(tmp_path / "o.csv", [["1", "x", "10", "等待出库"]], headers=["订单号", "备注", "应付金额", "订单状态"])
    (rec,), _err = records(run, path)
    assert rec["platform"] == "jd"  # 订单号 + 应付金额
    (rec,), _err = records(run, "--platform", "pinduoduo", path)
    assert rec["platform"] == "pinduoduo" and rec["paid"] is None  # 应付金额 is no Pinduoduo column
    r = run("orders", "--platform", "ebay", path)
    assert r.exit_code == 2 and "unknown platform ebay" in r.stderr and "use one of: amazon_jp, douyin, jd" in r.stderr


def test_a_tie_names_the_candidates(tmp_path, run):
    (tmp_path / "cfg" / "platforms").mkdir(parents=True)
    (tmp_path / "cfg" / "platforms" / "vip.toml").write_text(
        'label = "唯品会"\nsignatures = [["订单号", "应付金额"]]\n[columns]\n"订单号" = "order_id"\n"应付金额" = "paid"\n',
        encoding="utf-8")
    path = write_csv(tmp_path / "o.csv", [["1", "10"]], headers=["订单号", "应付金额"])
    _recs, err = records(run, "--config-dir", tmp_path / "cfg", path)
    assert "the headers fit jd, vip equally" in err or "the headers fit vip, jd equally" in err


def test_a_weak_match_is_told(tmp_path, run):
    headers = ["订单号", "客户姓名", "甲", "乙", "丙", "丁", "戊"]
    _recs, err = records(run, write_csv(tmp_path / "o.csv", [["1", "x", "", "", "", "", ""]], headers=headers))
    assert "read as jd, but it knows only 2 of the 7 headers" in err


def test_explain_shows_each_header(run):
    r = run("orders", EXAMPLES / "pinduoduo_orders.csv", "--explain", "-f", "tsv")
    assert r.exit_code == 0, r
    rows = [line.split("\t") for line in r.stdout.splitlines()]
    assert rows[0] == ["column", "header", "field", "source", "note"]
    by_header = {row[1]: row for row in rows[1:]}
    assert by_header["用户实付金额(元)"][2:4] == ["paid", "pinduoduo"]
    assert by_header["发货时间"][2:] == ["", "pinduoduo", "unused"]
    assert by_header["承诺发货时间"][2:4] == ["ship_deadline", "pinduoduo"]  # the platform's ship-by deadline
    assert by_header["商品规格"][2:] == ["item_title", "pinduoduo", "joined"]
    assert "recognised as pinduoduo" in r.stderr


def test_a_shop_profile_extends_and_a_bad_one_is_one_line(tmp_path, run):
    cfg = tmp_path / "cfg" / "platforms"
    cfg.mkdir(parents=True)
    (cfg / "jd.toml").write_text('unused = ["神秘列"]\n[statuses]\n"等待审核" = "paid"\n', encoding="utf-8")
    path = write_csv(tmp_path / "o.csv", [["1", "张三", "10", "等待审核", "x"]],
                     headers=["订单号", "客户姓名", "应付金额", "订单状态", "神秘列"])
    (rec,), err = records(run, "--config-dir", tmp_path / "cfg", path)
    assert rec["status"] == "paid" and "神秘列" not in err and rec["receiver"] == "张三"  # shipped mappings kept
    (cfg / "jd.toml").write_text('[columns]\n"订单号" = "order_number"\n', encoding="utf-8")
    r = run("--config-dir", tmp_path / "cfg", "orders", path)
    assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "jd.toml: columns.订单号: order_number is not a field" in r.stderr
    r = run("--config-dir", tmp_path / "cfg", "config", "check")
    assert r.exit_code == 2 and "order_number is not a field" in r.stderr


# --------------------------------------------------------------------------- Excel and Japanese encodings


def _xlsx(path, rows, sheet="Sheet1", extra_sheet=None):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    if extra_sheet:
        other = wb.create_sheet(extra_sheet[0])
        for row in extra_sheet[1]:
            other.append(row)
    wb.save(path)
    return path


def test_xlsx_reads_as_its_csv(tmp_path, run):
    import csv

    with open(EXAMPLES / "pinduoduo_orders.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    book = _xlsx(tmp_path / "pdd.xlsx", rows)
    assert records(run, book) == records(run, EXAMPLES / "pinduoduo_orders.csv")


def test_xlsx_cells_excel_typed(tmp_path, run):
    """Numbers, dates and long ids as Excel stores them: a 19-digit id stored as a number has lost
    digits and is reported, as a CSV saved from Excel is."""
    import datetime as dt

    book = _xlsx(tmp_path / "t.xlsx", [
        ["订单编号", "买家会员名", "买家实际支付金额", "订单状态", "订单创建时间", "联系手机"],
        ["3391204456781230001", "a", 1299, "交易成功", dt.datetime(2026, 11, 28, 9, 30), 13812345678],
        [3391204456781230002, "b", 12.5, "交易成功", "2026-11-28 09:30:00", "13812345678"],
        [None, None, None, None, None, None],
        ["3391204456781230003", "c", "abc", "交易成功", None, None],
    ])
    recs, err = records(run, book)
    assert [r["row"] for r in recs] == [2, 3, 5]
    assert recs[0]["paid"] == "1299" and recs[0]["created_at"] == "2026-11-28T09:30:00+08:00"
    assert recs[0]["mobile"] == "13812345678" and recs[1]["paid"] == "12.5"
    assert recs[1]["problems"][0]["code"] == "excel_mangled" and recs[1]["order_id"] == "3.39120445678123E+18"
    assert recs[2]["problems"][0]["code"] == "not_a_number"
    assert "2 of 3 orders have problems (rows 3, 5)" in err


def test_xlsx_sheet_by_name_or_number(tmp_path, run):
    book = _xlsx(tmp_path / "b.xlsx", [["说明"], ["这是封面"]], sheet="封面",
                 extra_sheet=("订单", [["订单号", "客户姓名", "应付金额"], ["J1", "张三", "10"]]))
    for sheet in ("订单", "2"):
        (rec,), _err = records(run, book, "--sheet", sheet)
        assert rec["order_id"] == "J1"
    r = run("orders", book, "--sheet", "9")
    assert r.exit_code == 2 and "no sheet 9" in r.stderr and "the sheets are: 封面, 订单" in r.stderr
    r = run("orders", book)  # the first sheet has no order column
    assert r.exit_code == 2 and "no order_id column" in r.stderr


def test_xlsx_from_stdin_and_a_zip_that_is_no_workbook(tmp_path, run):
    book = _xlsx(tmp_path / "b.xlsx", [["订单号", "客户姓名", "应付金额"], ["J1", "张三", "10"]])
    r = run("orders", "-", "-f", "jsonl", input=book.read_bytes())
    assert r.exit_code == 0 and json.loads(r.stdout)["order_id"] == "J1"
    import zipfile

    with zipfile.ZipFile(tmp_path / "x.zip", "w") as z:
        z.writestr("hello.txt", "hi")
    r = run("orders", tmp_path / "x.zip")
    assert r.exit_code == 2 and "not a readable Excel workbook" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_sheet_on_a_text_file_is_a_usage_error(run):
    r = run("orders", EXAMPLES / "jd_orders.csv", "--sheet", "1")
    assert r.exit_code == 2 and "--sheet is for Excel workbooks" in r.stderr


@pytest.mark.parametrize("text", [
    "注文番号,ステータス,送付先姓\n1,発送待ち,山田\n",
    "order-id\tpurchase-date\tsku\tproduct-name\trecipient-name\nA1\t2026-11-28T10:00:00+09:00\tDS1\tパイン材 ベッド\t山田 太郎\n",
])
def test_cp932_detected(tmp_path, text):
    from kefu_cli.orders.reader import detect_encoding

    assert detect_encoding(text.encode("cp932"), "x") == "cp932"


def test_gbk_is_not_taken_for_shift_jis():
    from kefu_cli.orders.reader import detect_encoding

    for f in ("jd_orders.csv", "taobao_orders.csv", "taobao_items.csv"):
        assert detect_encoding((EXAMPLES / f).read_bytes()[:65536], f) == "gb18030"


def test_line_price_is_split_per_unit():
    from kefu_cli.orders.reader import _unit_price

    assert _unit_price(D("19600"), 2) == D("9800") and _unit_price(D("10.00"), 3) == D("3.33")


def test_kefus_own_output_reads_back_silently(run):
    """`row`, `items` and `problems` are kefu's own keys: read back, nothing is 'not read'."""
    first = run("orders", EXAMPLES / "jd_orders.csv", "-f", "jsonl")
    again = run("orders", "-", "--input-format", "jsonl", "-f", "jsonl", input=first.stdout.encode())
    assert again.exit_code == 0 and again.stderr == ""
    assert [json.loads(x)["items"] for x in again.stdout.splitlines()] == [
        json.loads(x)["items"] for x in first.stdout.splitlines()]


def test_a_postal_code_column_is_checked_against_the_prefecture(tmp_path, run):
    """Rakuten's 送付先郵便番号1-2 name a prefecture; one that is not the 都道府県 column's is said."""
    headers = ["注文番号", "ステータス", "注文日時", "送付先郵便番号1", "送付先郵便番号2", "送付先住所都道府県",
               "送付先住所郡市区", "送付先住所それ以降の住所", "送付先姓", "送付先名", "送付先電話番号1",
               "送付先電話番号2", "送付先電話番号3"]
    rows = [["R1", "発送待ち", "2026-11-28 14:03:22", "530", "0001", "東京都", "新宿区", "西新宿2-8-1", "鈴木", "一郎",
             "090", "1234", "5678"],
            ["R2", "発送待ち", "2026-11-28 14:03:22", "163", "8001", "東京都", "新宿区", "西新宿2-8-1", "鈴木", "一郎",
             "090", "1234", "5678"]]
    recs = audit(run, write_csv(tmp_path / "r.csv", rows, headers=headers))
    assert "PROVINCE_MISMATCH" in codes(recs["R1"]) and "PROVINCE_MISMATCH" not in codes(recs["R2"])


def test_amazon_places_as_the_report_writes_them(tmp_path, run):
    """The unshipped-orders report as Amazon.co.jp writes it: ship-city empty, the municipality in
    ship-address-1, ship-state romanised or as ISO 3166-2; a 090 number in buyer-phone-number."""
    headers = ["order-id", "order-item-id", "purchase-date", "buyer-phone-number", "sku", "quantity-purchased",
               "recipient-name", "ship-address-1", "ship-address-2", "ship-city", "ship-state", "ship-postal-code"]
    rows = [["503-1", "1", "2026-11-28T10:15:00+09:00", "090-1234-5678", "A", "1", "佐藤 花子", "渋谷区神南1-2-3", "",
             "", "Tokyo-to", "150-0041"],
            ["503-2", "2", "2026-11-28T10:15:00+09:00", "045-123-4567", "A", "1", "田中", "横浜市西区みなとみらい2-2-1",
             "", "", "Kanagawa-ken", "220-0012"],
            ["503-3", "3", "2026-11-28T10:15:00+09:00", "", "A", "1", "林", "渋谷区神南1-2-3", "", "", "JP-13",
             "150-0041"]]
    path = write_csv(tmp_path / "unshipped.txt", rows, headers, delimiter="\t")
    recs, _err = records(run, path)
    assert [(r["province"], r["city"], r["district"]) for r in recs] == [
        ("東京都", "渋谷区", None), ("神奈川県", "横浜市", "西区"), ("東京都", "渋谷区", None)]
    assert (recs[0]["mobile"], recs[0]["phone"]) == ("090-1234-5678", None)
    assert (recs[1]["mobile"], recs[1]["phone"]) == (None, "045-123-4567")  # a landline stays a phone
    # eta places the order as orders does: one placement
    r = run("eta", path, "-f", "jsonl", "--now", NOW)
    assert r.exit_code in (0, 1) and all(json.loads(line)["province"] == "東京都"
                                         for line in r.stdout.splitlines()[:1]), r


# --------------------------------------------------------------------------- Japan's exports as they really come


def _rms_row(**cells):
    from jp_exports import RMS_HEADERS

    row = dict.fromkeys(RMS_HEADERS, "")
    row.update(cells)
    return [row[h] for h in RMS_HEADERS]


def _excel_csv(path, headers, rows, encoding="cp932"):
    """A CSV as Excel saves it: CRLF, quotes only where a cell needs them."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(headers)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def test_rakuten_rms_download_resaved_by_excel(tmp_path, run):
    """The 107-column 楽天ペイ受注 download (tests/jp_exports.py names where its columns come from),
    cp932, opened and saved again in Excel: dates as M/D/YYYY H:MM, the leading zeros of the phone's
    and postal code's parts gone, ステータス as the RMS code, the platform's delivery block in コメント."""
    from jp_exports import RMS_HEADERS

    common = dict(注文者姓="楽天", 注文者名="太郎", 送付先姓="山田", 送付先名="花子", 商品名="パイン材 チェスト",
                  商品番号="DS0305", 単価="23600", 個数="1", 支払方法名="クレジットカード", 配送方法="宅配便")
    rows = [
        _rms_row(**common, 注文番号="123456-20231205-0000000001", ステータス="500", 注文日時="12/5/2023 20:24",
                 商品合計金額="23600", 送料合計="0", 請求金額="23100", 合計金額="23600", ポイント利用額="500",
                 クーポン利用総額="0", 送付先郵便番号1="590", 送付先郵便番号2="136", 送付先住所都道府県="大阪府",
                 送付先住所郡市区="堺市南区", 送付先住所それ以降の住所="美木多上1-2-3", 送付先電話番号1="80",
                 送付先電話番号2="1234", 送付先電話番号3="5678",
                 コメント="[配送日時指定:]\n2023-12-17(日) 19:00-21:00"),
        _rms_row(**common, 注文番号="123456-20231206-0000000002", ステータス="300", 注文日時="12/6/2023 9:05",
                 商品合計金額="47200", 送料合計="0", 請求金額="47200", 合計金額="47200", ポイント利用額="0",
                 クーポン利用総額="0", 送付先郵便番号1="160", 送付先郵便番号2="23", 送付先住所都道府県="東京都",
                 送付先住所郡市区="新宿区", 送付先住所それ以降の住所="西新宿2-8-1", 送付先電話番号1="3",
                 送付先電話番号2="1234", 送付先電話番号3="567", お届け時間帯="午前中",
                 コメント="[配送日時指定:]\n2023-12-20(水)\n[メッセージカードの内容をご記入ください。:]\nご卒業おめでとう"),
        _rms_row(**common, 注文番号="123456-20231206-0000000002", ステータス="300", 注文日時="12/6/2023 9:05"),
        _rms_row(**common, 注文番号="123456-20231207-0000000003", ステータス="900", 注文日時="12/7/2023 11:00",
                 商品合計金額="23600", 送料合計="0", 請求金額="23600", 合計金額="23600", 送付先郵便番号1="60",
                 送付先郵便番号2="1", 送付先住所都道府県="北海道", 送付先住所郡市区="札幌市中央区",
                 送付先住所それ以降の住所="北一条西2丁目", 送付先電話番号1="9", 送付先電話番号2="12", 送付先電話番号3="3",
                 コメント="[配送日時指定:]\n来週のどこか、できれば雨の日以外の午後に、玄関前に置いてください。ありがとうございます。"),
    ]
    path = _excel_csv(tmp_path / "RakutenOrder.csv", RMS_HEADERS, rows)
    recs, err = records(run, path)
    assert "not read" not in err and "unknown" not in err  # every one of the 107 columns read or listed
    shipped, waiting, cancelled = recs
    assert [r["platform"] for r in recs] == ["rakuten"] * 3
    assert [r["status"] for r in recs] == ["shipped", "paid", "closed"]  # 500, 300, 900
    assert shipped["created_at"] == "2023-12-05T20:24:00+09:00" and waiting["created_at"] == "2023-12-06T09:05:00+09:00"
    assert shipped["paid"] == "23100" and cancelled["paid"] is None  # a cancelled order's billed amount is not paid
    # Excel's damage, repaired and said
    assert (shipped["mobile"], shipped["phone"], shipped["postal_code"]) == ("080-1234-5678", None, "590-0136")
    assert (waiting["phone"], waiting["postal_code"]) == ("03-1234-0567", "160-0023")
    fixed = {(p["field"], p["code"], p["fixed"]) for p in shipped["problems"]}
    assert fixed == {("phone", "excel_leading_zero", True), ("postal_code", "excel_leading_zero", True)}
    assert any(p["column"] == "送付先電話番号1, 送付先電話番号2, 送付先電話番号3" and "80-1234-5678" in p["message"]
               for p in shipped["problems"])
    # 9-12-3 cannot be made a number: named with the fix, not guessed
    lost = [p for p in cancelled["problems"] if p["code"] == "excel_leading_zero_lost"]
    assert lost and lost[0]["fixed"] is False and "export again with the column as text" in lost[0]["message"]
    assert cancelled["postal_code"] == "060-0001"
    # the platform's delivery block: read as the wish, kept out of the buyer's message
    assert (shipped["promised_date"], shipped["delivery_slot"], shipped["buyer_message"]) == ("2023-12-17", "19:00-21:00",
                                                                                             None)
    assert (waiting["promised_date"], waiting["delivery_slot"]) == ("2023-12-20", "午前中")  # お届け時間帯 column
    assert waiting["buyer_message"] == "[メッセージカードの内容をご記入ください。:]\nご卒業おめでとう"
    assert [i["qty"] for i in waiting["items"]] == [1, 1]
    # a block kefu cannot read is the row's problem, with the column named
    wish = [p for p in cancelled["problems"] if p["code"] == "unreadable_delivery_wish"]
    assert wish and wish[0]["column"] == "コメント" and cancelled["promised_date"] is None
    # audit: no BUYER_MESSAGE for the platform's own block; PHONE_INVALID says Excel is the likely cause
    found = audit(run, path)
    assert "BUYER_MESSAGE" not in codes(found["123456-20231205-0000000001"])
    assert "BUYER_MESSAGE" in codes(found["123456-20231206-0000000002"])


def test_phone_invalid_says_when_excel_is_the_likely_cause(tmp_path, run):
    headers = ["order-id", "order-item-id", "purchase-date", "buyer-phone-number", "sku", "quantity-purchased",
               "recipient-name", "ship-address-1", "ship-city", "ship-state", "ship-postal-code"]
    rows = [["503-1", "1", "2026-11-28T10:15:00+09:00", "901234567", "A", "1", "佐藤", "神南1-2-3", "渋谷区", "東京都",
             "150-0041"]]
    path = write_csv(tmp_path / "unshipped.txt", rows, headers, delimiter="\t")
    rec = audit(run, path)["503-1"]
    message = next(f["message"] for f in rec["findings"] if f["code"] == "PHONE_INVALID")
    assert "Excel may have dropped a leading 0" in message


def _amazon_row(headers, **cells):
    row = dict.fromkeys(headers, "")
    row.update({k.replace("_", "-"): v for k, v in cells.items()})
    return [row[h] for h in headers]


def test_amazon_unshipped_report_japanese_layout(tmp_path, run):
    """The unshipped-orders report in the Japanese marketplace's layout (tests/jp_exports.py): no
    prices, no status, ship-city empty, ship-state romanised, promise-date the ship-by deadline,
    the scheduled delivery window, ssa-carrier and a buyer-requested cancellation."""
    from jp_exports import AMAZON_UNSHIPPED as H

    base = dict(purchase_date="2026-11-28T10:15:00+09:00", payments_date="2026-11-28T10:16:02+09:00",
                buyer_name="佐藤 花子", sku="DS1205", product_name="北欧 パイン材 シングルベッド", quantity_purchased="1",
                quantity_to_ship="1", recipient_name="佐藤 花子", ship_country="JP", is_prime="false")
    rows = [
        _amazon_row(H, **base, order_id="503-1111111-1111111", order_item_id="1", buyer_phone_number="09012345678",
                    promise_date="2026-12-01T23:59:59+09:00", ship_address_1="渋谷区神南1-2-3", ship_state="Tokyo-to",
                    ship_postal_code="150-0041", scheduled_delivery_start_date="2026-12-05T14:00:00+09:00",
                    scheduled_delivery_end_date="2026-12-05T16:00:00+09:00", ssa_carrier="郵便局",
                    ssa_ship_method="ゆうパック", is_buyer_requested_cancellation="false"),
        _amazon_row(H, **base, order_id="503-2222222-2222222", order_item_id="2", buyer_phone_number="045-123-4567",
                    promise_date="2026-12-20T23:59:59+09:00", ship_address_1="横浜市西区みなとみらい2-2-1",
                    ship_state="JP-14", ship_postal_code="220-0012", ssa_ship_method="宅急便",
                    is_buyer_requested_cancellation="true", buyer_requested_cancel_reason="注文を間違えました"),
    ]
    path = write_csv(tmp_path / "unshipped.txt", rows, H, delimiter="\t")
    recs, err = records(run, path)
    assert err == ""  # every column read or listed, nothing expected missing
    one, two = recs
    assert [r["status"] for r in recs] == ["paid", "paid"] and one["paid"] is None  # no prices in this report
    assert (one["province"], one["city"], two["province"], two["city"], two["district"]) == (
        "東京都", "渋谷区", "神奈川県", "横浜市", "西区")
    assert (one["mobile"], one["phone"], two["phone"]) == ("09012345678", None, "045-123-4567")
    assert one["ship_deadline"] == "2026-12-01T23:59:59+09:00"
    assert (one["promised_date"], one["delivery_slot"]) == ("2026-12-05", "14:00-16:00")
    assert (one["carrier"], two["carrier"]) == ("郵便局", "宅急便")  # ssa-carrier, else ssa-ship-method
    assert (one["after_sale"], two["after_sale"], two["close_reason"]) == ("none", "requested", "注文を間違えました")
    found = audit(run, path)
    assert "CANCEL_REQUESTED" in codes(found["503-2222222-2222222"])
    assert found["503-2222222-2222222"]["flag"] == "blue"  # paid, not shipped, the buyer asks for the money back
    assert "CANCEL_REQUESTED" not in codes(found["503-1111111-1111111"])


def test_amazon_all_orders_report(tmp_path, run):
    """The All Orders report: amazon-order-id, order-status, quantity, item-price as the line's total,
    promotions (written negative) in the money equation, no buyer details."""
    from jp_exports import AMAZON_ALL_ORDERS as H

    base = dict(purchase_date="2026-11-28T10:15:00+09:00", last_updated_date="2026-11-29T10:15:00+09:00",
                fulfillment_channel="Merchant", sales_channel="Amazon.co.jp", currency="JPY",
                ship_city="", ship_state="Osaka-fu", ship_postal_code="530-0001", ship_country="JP")
    rows = [
        _amazon_row(H, **base, amazon_order_id="503-1", order_status="Shipped", sku="DS0115", product_name="ナイトテーブル",
                    quantity="2", item_price="19600", shipping_price="1500", item_promotion_discount="-1000",
                    ship_promotion_discount="-500"),
        _amazon_row(H, **base, amazon_order_id="503-1", order_status="Shipped", sku="DS1205", product_name="ベッド",
                    quantity="1", item_price="39800", shipping_price="0", item_promotion_discount="0",
                    ship_promotion_discount="0"),
        _amazon_row(H, **base, amazon_order_id="503-2", order_status="Pending", sku="DS1205", product_name="ベッド",
                    quantity="1"),
        _amazon_row(H, **base, amazon_order_id="503-3", order_status="Cancelled", sku="DS1205", product_name="ベッド",
                    quantity="1", item_price="39800", shipping_price="0"),
        _amazon_row(H, **base, amazon_order_id="503-4", order_status="Shipped - Delivered to Buyer", sku="DS1205",
                    product_name="ベッド", quantity="1", item_price="39800", shipping_price="0"),
    ]
    path = write_csv(tmp_path / "all_orders.txt", rows, H, delimiter="\t")
    recs, err = records(run, path)
    assert "not read" not in err and "unknown" not in err
    shipped, pending, cancelled, delivered = recs
    assert [r["platform"] for r in recs] == ["amazon_jp"] * 4
    assert [r["status"] for r in recs] == ["shipped", "unpaid", "closed", "completed"]
    # unit prices from line totals, not doubled
    assert [(i["sku"], i["qty"], i["price"]) for i in shipped["items"]] == [("DS0115", 2, "9800"), ("DS1205", 1, "39800")]
    assert (shipped["goods_amount"], shipped["shipping_fee"], shipped["discount"], shipped["paid"]) == (
        "59400", "1500", "1500", "59400")
    assert pending["paid"] is None  # Pending: no price shown yet, nothing paid
    assert cancelled["paid"] is None and delivered["paid"] == "39800"
    assert shipped["province"] == "大阪府"
    found = audit(run, path)
    assert "AMOUNT_MISMATCH" not in codes(found["503-1"])


def test_ship_deadline_in_audit_and_eta_explain(tmp_path, run):
    """promise-date is Amazon's ship-by deadline: a ship window ending after it is a finding, and
    eta --explain says where the window ends against it."""
    from jp_exports import AMAZON_UNSHIPPED as H

    base = dict(purchase_date="2026-11-28T10:15:00+09:00", payments_date="2026-11-28T10:16:02+09:00",
                sku="DS1205", product_name="北欧 パイン材 シングルベッド", quantity_purchased="1", recipient_name="佐藤",
                buyer_phone_number="09012345678", ship_address_1="渋谷区神南1-2-3", ship_state="Tokyo-to",
                ship_postal_code="150-0041")
    rows = [_amazon_row(H, **base, order_id="503-1", order_item_id="1", promise_date="2026-11-30T23:59:59+09:00"),
            _amazon_row(H, **base, order_id="503-2", order_item_id="2", promise_date="2027-03-31T23:59:59+09:00")]
    path = write_csv(tmp_path / "unshipped.txt", rows, H, delimiter="\t")
    found = audit(run, path)
    late = [f for f in found["503-1"]["findings"] if f["code"] == "SHIP_DEADLINE"]
    assert late and "2026-11-30" in late[0]["message"]
    assert "SHIP_DEADLINE" not in codes(found["503-2"])
    r = run("eta", path, "--explain", "-f", "jsonl", "--now", NOW)
    assert r.exit_code in (0, 1), r
    steps = {json.loads(line)["order_id"]: json.loads(line)["steps"] for line in r.stdout.splitlines()}
    assert any("ship-by deadline is 2026-11-30" in s and "after it" in s for s in steps["503-1"])
    assert any("ship-by deadline is 2027-03-31" in s and "in time" in s for s in steps["503-2"])


def test_pinduoduo_ship_by_deadline_is_checked(run):
    """拼多多's 承诺发货时间 is its ship-by deadline: a ship window that ends after it is a finding."""
    recs, _err = records(run, EXAMPLES / "pinduoduo_orders.csv")
    assert recs[0]["ship_deadline"] == "2026-12-01T21:15:40+08:00"
    found = audit(run, EXAMPLES / "pinduoduo_orders.csv")
    first = found[recs[0]["order_id"]]
    late = next(f for f in first["findings"] if f["code"] == "SHIP_DEADLINE")
    assert "2026-12-01" in late["message"] and first["verdict"] == "hold"


def test_qoo10_order_csv(tmp_path, run):
    """Qoo10's 44-column order CSV (tests/jp_exports.py): 配送状態, 送り状番号, 配送会社, 発送予定日 (the
    ship-by date), お届け希望日, 購入者決済金額 read; recognised as qoo10, every column read or listed."""
    from jp_exports import QOO10_HEADERS as H

    def row(**cells):
        r = dict.fromkeys(H, "")
        r.update(cells)
        return [r[h] for h in H]

    rows = [row(配送状態="配送要請", 注文番号="512345678", カート番号="81234567", 注文日="2026/11/28 10:15:00",
                入金日="2026/11/28 10:16:00", お届け希望日="2026/12/05", 発送予定日="2026/12/01", 商品番号="998877",
                商品名="北欧 パイン材 シングルベッド", 数量="1", 受取人名="佐藤 花子", 受取人携帯電話番号="090-1234-5678",
                住所="東京都渋谷区神南1-2-3", 郵便番号="150-0041", 国家="JP", 通貨="JPY", 購入者決済金額="39800",
                販売価格="39800", 割引額="0", 注文金額の合計="39800", 購入者名="佐藤 花子", 配送要請事項="置き配希望",
                販売者商品コード="DS1205"),
            row(配送状態="配送中", 注文番号="512345679", 配送会社="ヤマト運輸", 送り状番号="1234-5678-9013",
                注文日="2026/11/27 09:00:00", 商品名="ナイトテーブル", 数量="2", 受取人名="田中", 受取人電話番号="0661234567",
                住所="大阪府大阪市北区梅田3-1-3", 郵便番号="530-0001", 購入者決済金額="19600", 販売価格="9800",
                販売者商品コード="DS0115")]
    path = _excel_csv(tmp_path / "qoo10.csv", H, rows)
    recs, err = records(run, path)
    assert "unknown" not in err and "not read" not in err
    one, two = recs
    assert [r["platform"] for r in recs] == ["qoo10", "qoo10"]
    assert (one["status"], two["status"]) == ("paid", "shipped")
    assert (one["paid"], one["total"], one["buyer_message"]) == ("39800", "39800", "置き配希望")
    assert one["ship_deadline"] == "2026-12-01T00:00:00+09:00" and one["promised_date"] == "2026-12-05"
    assert (one["province"], one["city"], one["mobile"]) == ("東京都", "渋谷区", "090-1234-5678")
    assert (two["carrier"], two["waybill"]) == ("ヤマト運輸", "1234-5678-9013")
    assert two["items"] == [{"sku": "DS0115", "title": "ナイトテーブル", "qty": 2, "price": "9800"}]


def test_yahoo_shopping_order_and_item_files(tmp_path, run):
    """Yahoo!ショッピング's order download: the order file and its item file (--items), Shift_JIS."""
    from jp_exports import YAHOO_ITEMS, YAHOO_ORDER

    def row(headers, **cells):
        r = dict.fromkeys(headers, "")
        r.update(cells)
        return [r[h] for h in headers]

    orders = [row(YAHOO_ORDER, OrderId="store-10000001", OrderTime="2026/11/28 10:15:00", ShipNameKana="サトウ ハナコ", ShipName="佐藤 花子",
                  ShipZipCode="1500041", ShipPrefecture="東京都", ShipCity="渋谷区", ShipAddress1="神南1-2-3",
                  ShipPhoneNumber="09012345678", ShipMethodName="宅急便", ShipCharge="0", Total="39800", ShipStatus="1",
                  PayStatus="1"),
              row(YAHOO_ORDER, OrderId="store-10000002", OrderTime="2026/11/27 09:00:00", ShipNameKana="タナカ イチロウ", ShipName="田中 一郎",
                  ShipZipCode="5300001", ShipPrefecture="大阪府", ShipCity="大阪市北区", ShipAddress1="梅田3-1-3",
                  ShipPhoneNumber="0661234567", ShipMethodName="宅急便", ShipInvoiceNumber1="123456789013",
                  ShipCharge="1500", Total="21100", ShipStatus="3", PayStatus="1")]
    items = [row(YAHOO_ITEMS, OrderId="store-10000001", Quantity="1", ItemId="ds1205", Title="シングルベッド",
                 UnitPrice="39800", LineId="1"),
             row(YAHOO_ITEMS, OrderId="store-10000002", Quantity="2", ItemId="ds0115", Title="ナイトテーブル",
                 UnitPrice="9800", LineId="1")]
    order_path = _excel_csv(tmp_path / "order.csv", YAHOO_ORDER, orders)
    item_path = _excel_csv(tmp_path / "item.csv", YAHOO_ITEMS, items)
    recs, err = records(run, order_path, "--items", item_path)
    assert "unknown" not in err and "not read" not in err
    one, two = recs
    assert [r["platform"] for r in recs] == ["yahoo", "yahoo"]
    assert (one["status"], two["status"]) == ("paid", "shipped")
    assert (one["mobile"], one["postal_code"], one["carrier"]) == ("09012345678", "1500041", "宅急便")
    assert (two["paid"], two["shipping_fee"], two["waybill"]) == ("21100", "1500", "123456789013")
    assert two["items"] == [{"sku": "ds0115", "title": "ナイトテーブル", "qty": 2, "price": "9800"}]


def test_a_platforms_numeric_status_codes_are_not_read_in_a_file_no_platform_claims():
    """Rakuten's 500 and Yahoo!'s 3 are status codes in their own files only: a generic file's 3
    stays an unknown word (a problem), never someone else's code."""
    from kefu_cli.orders.platforms import profiles, statuses_for

    table = profiles(None)
    assert statuses_for("rakuten", table)["500"] == "shipped" and statuses_for("yahoo", table)["3"] == "shipped"
    generic = statuses_for("generic", table)
    assert "500" not in generic and "3" not in generic and "true" not in generic
