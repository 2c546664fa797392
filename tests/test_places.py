"""Places (issue 23): every address placed right down to the city, or said out loud.

The addresses are the issue's own examples of how people write; bench/places.py measures the
same rules on public labelled corpora (bench/corpus)."""

import json

import pytest

from conftest import taobao_row, write_csv
from kefu_cli.orders.regions import locate, place


@pytest.mark.parametrize("address,expected", [
    # starting at any level: a district, a county-level city
    ("徐汇区虹漕路461号", ("CN", "上海", "上海市", "徐汇区")),
    ("昆山市城北镇", ("CN", "江苏", "苏州市", "昆山市")),
    ("东兴市江平镇", ("CN", "广西", "防城港市", "东兴市")),
    # without suffixes
    ("广州国际采购中心1401", ("CN", "广东", "广州市", None)),
    ("大连西岗区", ("CN", "辽宁", "大连市", "西岗区")),
    ("中国南京江宁", ("CN", "江苏", "南京市", "江宁区")),
    ("浙江宁波", ("CN", "浙江", "宁波市", None)),
    ("广东佛山南海", ("CN", "广东", "佛山市", "南海区")),
    # words before, a name and a phone pasted before
    ("地址：深圳市南山区科技园", ("CN", "广东", "深圳市", "南山区")),
    ("收货地址:深圳市福田区", ("CN", "广东", "深圳市", "福田区")),
    ("张三 13800138000 广东省深圳市南山区", ("CN", "广东", "深圳市", "南山区")),
    # a county-level city's prefecture; old names
    ("江苏省昆山市", ("CN", "江苏", "苏州市", "昆山市")),
    ("襄樊市樊城区", ("CN", "湖北", "襄阳市", "樊城区")),
    ("玉环县坎门镇", ("CN", "浙江", "台州市", "玉环市")),
    # the city is not whatever precedes 市
    ("苏州常熟市", ("CN", "江苏", "苏州市", "常熟市")),
    ("成都成都市", ("CN", "四川", "成都市", None)),
    ("广西省桂林市", ("CN", "广西", "桂林市", None)),
    ("河北区", ("CN", "天津", "天津市", "河北区")),  # a district, not the province
    # Japan: the prefecture decides a shared ward; variants; a short prefecture
    ("東京都港区芝2丁目", ("JP", "東京都", "港区", None)),
    ("鎌ヶ谷市道野辺", ("JP", "千葉県", "鎌ケ谷市", None)),
    ("茨城県龍ｹ崎市", ("JP", "茨城県", "龍ケ崎市", None)),
    ("飛驒市古川町", ("JP", "岐阜県", "飛騨市", None)),
    ("塩釜市海岸通", ("JP", "宮城県", "塩竈市", None)),
    ("千葉市川市八幡", ("JP", "千葉県", "市川市", None)),
    ("神奈川県横浜市港北区綱島台20-3", ("JP", "神奈川県", "横浜市", "港北区")),
    # Japan without the prefecture: the town decides
    ("港区芝2丁目3-1", ("JP", "東京都", "港区", None)),
    ("松原市上田4丁目", ("JP", "大阪府", "松原市", None)),  # not 吉林's 松原市
])
def test_every_way_people_write(address, expected):
    assert tuple(locate(address)) == expected


@pytest.mark.parametrize("address,code", [
    ("鼓楼区中山路1号", "address_ambiguous"),  # 南京, 徐州, 福州, 开封
    ("江南区1-1", "address_two_countries"),  # 南宁's and 新潟市's
    ("津市河西区", "address_two_countries"),  # 天津's 河西区 or 三重県津市
    ("虹漕路461号", "address_unplaced"),
    ("广东省", "address_province_only"),
    ("北区1-1", "address_ambiguous"),  # Tokyo and several designated cities
])
def test_never_guessed(address, code):
    placed = place(address)
    assert placed.problem == code
    assert placed.place.city is None


def test_hong_kong_macau_and_taiwan_are_places_of_their_own():
    for address, country in (("香港特别行政区 九龙 旺角弥敦道1号", "HK"), ("澳门 氹仔", "MO"), ("台湾省台北市信义区", "TW")):
        placed = place(address)
        assert placed.place.country == country and placed.problem is None


def test_the_platform_phone_and_postal_code_decide_the_country_before_a_name():
    assert place("江南区1-1", platform_country="CN").place == ("CN", "广西", "南宁市", "江南区")
    assert place("江南区1-1", platform_country="JP").place == ("JP", "新潟県", "新潟市", "江南区")
    assert place("江南区1-1", phones=("13812345678",)).place.country == "CN"
    assert place("江南区1-1", phones=("025-123-4567",)).place.country == "JP"
    assert place("江南区1-1", postal="950-0000").place.country == "JP"
    assert place("〒950-0000 江南区").place.country == "JP"
    assert place("中国 江南区").place.country == "CN"


def test_a_postal_code_in_the_address_is_kept():
    placed = place("〒105-0011 芝公園4-2-8")
    assert placed.place == ("JP", "東京都", "港区", None) and placed.postal_code == "1050011"
    assert place("〒530-0001 東京都北区").place.province == "東京都"  # the written prefecture wins


def test_columns_are_narrowed_by_the_address():
    assert place("朝阳区建国路88号", "北京").place == ("CN", "北京", "北京市", "朝阳区")
    assert place("朝阳区建国路88号", "吉林", "长春").place == ("CN", "吉林", "长春市", "朝阳区")
    assert place("城北镇", "江苏", "昆山市").place == ("CN", "江苏", "苏州市", "昆山市")
    assert place("北一条西2丁目", "北海道", "札幌市中央区").place == ("JP", "北海道", "札幌市", "中央区")


def test_orders_says_what_it_could_not_place(run, tmp_path):
    rows = [taobao_row("1", **{"收货地址 ": "广东省 深圳市 南山区 科技园路1号"}),
            taobao_row("2", **{"收货地址 ": "虹漕路461号"}),
            taobao_row("3", **{"收货地址 ": "广东省 科技园路1号"}),
            taobao_row("4", **{"收货地址 ": "江苏昆山市城北镇1号"}),
            taobao_row("5", **{"收货地址 ": "鼓楼区中山路1号"})]
    path = write_csv(tmp_path / "o.csv", rows)
    r = run("orders", path, "-f", "jsonl")
    recs = {x["order_id"]: x for x in map(json.loads, r.stdout.splitlines())}
    assert [(recs["1"][k]) for k in ("province", "city", "district")] == ["广东", "深圳市", "南山区"]
    assert [(recs["4"][k]) for k in ("province", "city", "district")] == ["江苏", "苏州市", "昆山市"]
    assert recs["1"]["problems"] == [] and recs["4"]["problems"] == []
    codes = {k: [p["code"] for p in recs[k]["problems"]] for k in ("2", "3", "5")}
    assert codes == {"2": ["address_unplaced"], "3": ["address_province_only"], "5": ["address_ambiguous"]}
    assert recs["2"]["problems"][0]["column"] == "收货地址" and recs["2"]["problems"][0]["field"] == "address"
    assert "3 addresses not placed down to the city (address_ambiguous 1, address_province_only 1, " \
           "address_unplaced 1)" in r.stderr


def test_a_postal_code_written_in_the_address_fills_postal_code(run, tmp_path):
    path = write_csv(tmp_path / "o.csv", [taobao_row("1", **{"收货地址 ": "日本 〒160-0023 東京都新宿区西新宿2-8-1"})])
    rec = json.loads(run("orders", path, "-f", "jsonl").stdout)
    assert (rec["province"], rec["city"], rec["postal_code"]) == ("東京都", "新宿区", "160-0023")


def test_explain_address(run):
    r = run("orders", "--explain-address", "港区芝公園4-2-8", "-f", "jsonl")
    steps = [json.loads(x) for x in r.stdout.splitlines()]
    assert {"step": "town", "value": "芝公園", "how": "Japan Post"} in steps
    assert {"step": "= province", "value": "東京都", "how": None} in steps
    assert r.exit_code == 0
    r = run("orders", "--explain-address", "鼓楼区1号", "-f", "jsonl")
    assert r.exit_code == 1 and "address_ambiguous" in r.stderr
    r = run("orders", "--explain-address", "江南区1-1", "--platform", "amazon_jp", "-f", "jsonl")
    assert {"step": "country", "value": "JP", "how": "platform"} in [json.loads(x) for x in r.stdout.splitlines()]
    assert run("orders").exit_code == 2


@pytest.mark.parametrize("name, right_goal, wrong_goal", [
    ("places-cn.tsv", 0.97, 0.001), ("places-jp.tsv", 0.995, 0.0), ("places-jp-bare.tsv", 0.95, 0.001)])
def test_the_goals_hold_on_the_held_out_corpus(name, right_goal, wrong_goal):
    """bench/places.py's figures as a guard: the issue's goals on the held-out rows of the public
    corpora (bench/corpus; sources named in each file's first line). The labelled Chinese set is
    not committed (its source states no licence, bench/corpus/NOTICE.md): it is measured where
    tools/make_place_corpus.py has built it, and the skip says so everywhere else."""
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from places import CORPUS, verdict
    finally:
        sys.path.pop(0)
    if not (CORPUS / name).exists():
        pytest.skip(f"bench/corpus/{name} is not committed (no licence); build it with tools/make_place_corpus.py")
    rows = [line.rstrip("\n").split("\t") for line in open(CORPUS / name, encoding="utf-8")
            if line.startswith("held\t")]
    counts = {"right": 0, "wrong": 0}
    for _s, address, province, city in rows:
        v = verdict(place(address).place, province, city)
        counts[v] = counts.get(v, 0) + 1
    assert len(rows) > 2000
    assert counts["right"] / len(rows) >= right_goal, (name, counts)
    assert counts["wrong"] / len(rows) <= wrong_goal, (name, counts)
