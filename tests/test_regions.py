import pytest

from kefu_cli.orders.cn_cities import city_table
from kefu_cli.orders.regions import CN_PROVINCES, JP_PREFECTURES, locate


def test_tables_are_complete():
    assert len(CN_PROVINCES) == 34 and len(set(CN_PROVINCES.values())) == 34
    assert len(JP_PREFECTURES) == 47
    table = city_table()
    assert len(table) == 333 and set(table.values()) <= set(CN_PROVINCES.values())


@pytest.mark.parametrize("address,expected", [
    ("深圳市南山区科技园", ("CN", "广东", "深圳市")),
    ("广东省深圳市南山区", ("CN", "广东", "深圳市")),
    ("北京 北京市 朝阳区 建国路", ("CN", "北京", "北京市")),
    ("海南藏族自治州共和县", ("CN", "青海", "海南藏族自治州")),
    ("海南省海口市龙华区", ("CN", "海南", "海口市")),
    ("内蒙古自治区呼和浩特市", ("CN", "内蒙古", "呼和浩特市")),
    ("中国浙江省杭州市西湖区", ("CN", "浙江", "杭州市")),
    ("日本 東京都 新宿区", ("JP", "東京都", None)),
    ("日本东京都新宿区", ("JP", "東京都", None)),
    ("神奈川县横浜市", ("JP", "神奈川県", None)),
    ("朝阳区建国路88号", (None, None, None)),  # district only: never guessed
    ("深圳南山区", (None, None, None)),  # a city without 市 is not guessed either
    ("", (None, None, None)),
])
def test_locate(address, expected):
    p = locate(address)
    assert (p.country, p.province, p.city) == expected


def test_province_column_wins():
    assert locate("南山区科技园", "广东省").province == "广东"
    assert locate(None, "沖縄県").country == "JP"
