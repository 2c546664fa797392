import json
import shutil

import pytest

from conftest import EXAMPLES, ROOT
from kefu_cli.config import load_config
from kefu_cli.errors import InputError
from kefu_cli.orders.regions import locate
from kefu_cli.logistics.routing import Router
from kefu_cli.orders.stock import load_stock


@pytest.fixture(scope="module")
def router():
    return Router(load_config(None))


@pytest.mark.parametrize("sku,title,line,warehouse,reason", [
    ("CD1801", "乳胶床垫", "床垫", "SOUTH", "ONLY_WAREHOUSE"),
    (None, "彩板儿童衣柜", "彩板", "SOUTH", "ONLY_WAREHOUSE"),
    ("X1", "手绘床头柜", "手绘", "SOUTH", "ONLY_WAREHOUSE"),
    (None, "KT韩式梳妆台", "KT韩式", "SOUTH", "ONLY_WAREHOUSE"),
    ("DS1205", None, "松木", "NORTH", "COUNTRY"),
])
def test_default_product_lines(router, sku, title, line, warehouse, reason):
    r = router.route(sku, title, locate("广东省深圳市南山区"))
    assert (r.product_line.name, r.warehouse.code, r.reason) == (line, warehouse, reason)


def test_pine_japan_versus_north(router):
    assert router.route("DS1205", None, locate("日本 東京都 新宿区")).warehouse.code == "JAPAN"
    assert router.route("DS1205", None, locate("北京市朝阳区")).warehouse.code == "NORTH"
    r = router.route("DS1205", None, locate("朝阳区建国路"))  # unknown destination: priority decides
    assert (r.warehouse.code, r.reason) == ("NORTH", "PRIORITY")
    assert router.route("DS1204", "实木床", locate("北京市")).reason == "UNROUTABLE"  # ends in 4, no keyword
    assert router.route("DS1204", "松木床", locate("北京市")).product_line.name == "松木"  # keyword decides


def test_same_province_and_stock_tie_breaks(tmp_path):
    d = tmp_path / "c"
    shutil.copytree(ROOT / "config", d)
    text = (d / "warehouses.toml").read_text(encoding="utf-8")
    (d / "warehouses.toml").write_text(text.replace('warehouses = ["NORTH", "JAPAN"]',
                                                    'warehouses = ["NORTH", "SOUTH", "JAPAN"]'), encoding="utf-8")
    cfg = load_config(d)
    r = Router(cfg).route("DS1205", None, locate("广东省广州市"))
    assert (r.warehouse.code, r.reason) == ("SOUTH", "SAME_PROVINCE")
    r = Router(cfg).route("DS1205", None, locate("浙江省杭州市"))
    assert (r.warehouse.code, r.reason) == ("SOUTH", "PRIORITY")
    stock = tmp_path / "stock.csv"
    stock.write_text("sku,warehouse,available\nDS1205,SOUTH,0\nDS1205,NORTH,3\n", encoding="utf-8")
    r = Router(cfg, load_stock(str(stock), cfg)).route("DS1205", None, locate("浙江省杭州市"), qty=2)
    assert (r.warehouse.code, r.reason) == ("NORTH", "STOCK")
    assert any("stock on hand" in s for s in r.steps)
    stock.write_text("sku,warehouse,available\nDS1205,MOON,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="MOON is not a warehouse"):
        load_stock(str(stock), cfg)


def test_route_command_split_and_unroutable(run, tmp_path):
    path = tmp_path / "o.csv"
    path.write_text("order_id,address,sku,title,qty\nA,日本 東京都 新宿区,DS1205,松木床,1\nA,日本 東京都 新宿区,CD1801,床垫,1\n"
                    "B,北京市朝阳区,ZZ9,月球椅,1\n", encoding="utf-8")
    r = run("route", path, "-f", "jsonl")
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    assert [(x["order_id"], x["line"], x["warehouse"], x["split"]) for x in recs] == [
        ("A", 1, "JAPAN", True), ("A", 2, "SOUTH", True), ("B", 1, None, False)]
    assert recs[2]["reason"] == "UNROUTABLE"
    assert r.exit_code == 1 and "1 of 3 lines match no product line" in r.stderr


def test_route_query_and_explain(run):
    r = run("route", "--sku", "DS1205", "--to", "日本 東京都 新宿区西新宿2-8-1", "--explain", "-f", "json")
    rec = json.loads(r.stdout)[0]
    assert rec["warehouse"] == "JAPAN" and rec["reason"] == "COUNTRY" and r.exit_code == 0
    assert rec["steps"] == ["SKU DS1205 matches ^DS.*5$ of 松木", "松木 is stocked in NORTH, JAPAN",
                            "destination country JP: JAPAN"]
    assert run("route").exit_code == 2


def test_route_sample(run):
    r = run("route", EXAMPLES / "taobao_orders.csv", "--items", EXAMPLES / "taobao_items.csv", "-f", "tsv",
            "--fields", "order_id,warehouse,reason")
    assert r.exit_code == 0
    assert "3391204456781230003\tJAPAN\tCOUNTRY" in r.stdout and "3391204456781230002\tNORTH\tCOUNTRY" in r.stdout
