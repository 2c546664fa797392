"""Writes the sample files in examples/ (run from the repository root: python tools/make_examples.py).

taobao_orders.csv  a Taobao/Tmall 订单报表 as the platform exports it: GB18030, headers with
                   trailing spaces, ="…" order numbers, '-prefixed mobiles, amounts with 元,
                   full-width commas in 订单状态, addresses as "省 市 区 详细地址".
taobao_items.csv   its 宝贝报表 (one row per item, joined on 订单编号).
orders.jsonl       the same orders in kefu's canonical shape (UTF-8).
"""

import csv
import json
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "examples"

HEADERS = ["订单编号", "买家会员名", "买家应付货款", "买家应付邮费", "总金额", "买家实际支付金额", "订单状态",
           "买家留言", "收货人姓名", "收货地址 ", "运送方式", "联系电话 ", "联系手机", "订单创建时间", "订单付款时间 ",
           "宝贝标题 ", "宝贝种类", "物流单号 ", "物流公司", "订单备注", "宝贝总数量", "店铺名称", "发票抬头",
           "退款金额", "打款商家金额"]

ORDERS = [
    # id, buyer, goods, ship, total, paid, status, message, receiver, address, mobile, created, paid_at,
    # title, kinds, waybill, carrier, memo, qty, invoice, refund
    ("3391204456781230001", "春风十里", "1299.00", "0.00", "1299.00", "1299.00", "买家已付款，等待卖家发货", "",
     "李娜", "广东省 深圳市 南山区 科技园南路15号海岸城3栋1204", "13812345678", "2026-09-29 21:14:05",
     "2026-09-29 21:15:40", "独立弹簧乳胶床垫 1.8米", "1", "", "", "", "1", "", "0.00"),
    ("3391204456781230002", "北漂小王", "2499.00", "0.00", "2499.00", "2499.00", "买家已付款，等待卖家发货",
     "请工作日送货，谢谢", "王强", "北京 北京市 朝阳区 建国路88号SOHO现代城A座2101", "13998765432",
     "2026-09-30 09:02:11", "2026-09-30 10:00:00", "北欧实木松木双人床 1.5米", "1", "", "",
     "客户要求10月8日前送到 --- 2026-09-30 小美", "1", "北京某某科技有限公司", "0.00"),
    ("3391204456781230003", "sakura_mama", "3899.00", "0.00", "3899.00", "3899.00", "买家已付款，等待卖家发货", "",
     "佐藤花子", "日本 東京都 新宿区 西新宿2-8-1 ハイツ新宿305", "09012345678", "2026-10-02 13:40:00",
     "2026-10-02 13:41:12", "松木儿童床 带护栏", "1", "", "", "", "1", "", "0.00"),
    ("3391204456781230004", "小橘子", "899.00", "0.00", "899.00", "", "等待买家付款", "", "陈静",
     "浙江省 杭州市 西湖区 文三路478号华星时代广场B座", "15057123456", "2026-10-03 22:31:09", "",
     "手绘地中海床头柜", "1", "", "", "", "2", "", "0.00"),
    ("3391204456781230005", "老张家具控", "1598.00", "50.00", "1648.00", "1148.00", "买家已付款，等待卖家发货",
     "颜色要浅一点的", "张伟", "四川省 成都市 武侯区 天府大道北段1700号环球中心W1区", "18628001234",
     "2026-10-04 08:15:00", "2026-10-04 08:16:30", "彩板儿童衣柜 三门;KT韩式田园梳妆台", "2", "", "", "", "2", "",
     "500.00"),
    ("3391204456781230006", "momo1988", "1299.00", "0.00", "1299.00", "1299.00", "卖家已发货，等待买家确认", "",
     "刘洋", "江苏省 南京市 鼓楼区 中山北路30号", "17751234567", "2026-09-20 19:20:00", "2026-09-20 19:22:45",
     "独立弹簧乳胶床垫 1.8米", "1", "73512345678901", "中通快递", "", "1", "", "0.00"),
    ("3391204456781230007", "tianshan", "2499.00", "0.00", "2499.00", "2499.00", "买家已付款，等待卖家发货", "",
     "艾力", "新疆维吾尔自治区 乌鲁木齐市 天山区 解放南路268号", "13609912345", "2026-10-05 11:00:00",
     "2026-10-05 11:03:20", "北欧实木松木双人床 1.5米", "1", "", "", "", "1", "", "0.00"),
    ("3391204456781230008", "退款的亲", "899.00", "0.00", "899.00", "0.00", "交易关闭", "不想要了", "赵敏",
     "上海 上海市 浦东新区 世纪大道100号环球金融中心", "13601234567", "2026-10-01 10:00:00",
     "2026-10-01 10:01:00", "手绘地中海床头柜", "1", "", "", "", "1", "", "899.00"),
]

ITEMS = [
    ("3391204456781230001", "独立弹簧乳胶床垫 1.8米", "1299.00", "1", "CD1801", "尺寸:1.8*2.0米", "CD1801"),
    ("3391204456781230002", "北欧实木松木双人床 1.5米", "2499.00", "1", "", "颜色:原木色;尺寸:1.5米", "DS1505"),
    ("3391204456781230003", "松木儿童床 带护栏", "3899.00", "1", "DS1205", "颜色:白色", "DS1205"),
    ("3391204456781230004", "手绘地中海床头柜", "449.50", "2", "SH0402", "颜色:蓝白", "SH0402"),
    ("3391204456781230005", "彩板儿童衣柜 三门", "999.00", "1", "CB3301", "颜色:粉色", "CB3301"),
    ("3391204456781230005", "KT韩式田园梳妆台", "599.00", "1", "KT2201", "颜色:象牙白", "KT2201"),
    ("3391204456781230006", "独立弹簧乳胶床垫 1.8米", "1299.00", "1", "CD1801", "尺寸:1.8*2.0米", "CD1801"),
    ("3391204456781230007", "北欧实木松木双人床 1.5米", "2499.00", "1", "", "颜色:胡桃色;尺寸:1.5米", "DS1505"),
    ("3391204456781230008", "手绘地中海床头柜", "899.00", "1", "SH0401", "颜色:蓝白", "SH0401"),
]
ITEM_HEADERS = ["订单编号", "标题", "价格", "购买数量", "外部系统编号", "商品属性", "套餐信息", "备注", "订单状态", "商家编码"]


def main() -> None:
    OUT.mkdir(exist_ok=True)
    status_of = {o[0]: o[6] for o in ORDERS}
    with open(OUT / "taobao_orders.csv", "w", encoding="gb18030", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        w.writerow(HEADERS)
        for (oid, buyer, goods, ship, total, paid, status, msg, rcv, addr, mobile, created, paid_at, title, kinds,
             waybill, carrier, memo, qty, invoice, refund) in ORDERS:
            w.writerow([f'="{oid}"', buyer, goods, ship, total, paid, status, msg, rcv, addr, "快递", "",
                        f"'{mobile}", created, paid_at, title, kinds, waybill, carrier, memo, qty, "木森家居旗舰店",
                        invoice, refund, f"{paid or '0.00'}元"])
    with open(OUT / "taobao_items.csv", "w", encoding="gb18030", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(ITEM_HEADERS)
        for oid, title, price, qty, ext, attrs, sku in ITEMS:
            w.writerow([f'="{oid}"', title, price, qty, ext, attrs, "", "", status_of[oid], sku])
    items_by = {}
    for oid, title, price, qty, _ext, _attrs, sku in ITEMS:
        items_by.setdefault(oid, []).append({"sku": sku, "title": title, "qty": int(qty), "price": price})
    status_map = {"买家已付款，等待卖家发货": "paid", "等待买家付款": "unpaid", "卖家已发货，等待买家确认": "shipped",
                  "交易关闭": "closed"}
    with open(OUT / "orders.jsonl", "w", encoding="utf-8") as fh:
        for (oid, buyer, goods, ship, total, paid, status, msg, rcv, addr, mobile, created, paid_at, title, kinds,
             waybill, carrier, memo, qty, invoice, refund) in ORDERS:
            obj = {"order_id": oid, "platform": "taobao", "buyer": buyer, "status": status_map[status],
                   "created_at": created.replace(" ", "T") + "+08:00",
                   "paid_at": paid_at.replace(" ", "T") + "+08:00" if paid_at else None,
                   "total": total, "goods_amount": goods, "shipping_fee": ship, "paid": paid or None,
                   "refund": refund, "receiver": rcv, "mobile": mobile, "address": addr,
                   "buyer_message": msg or None, "seller_memo": memo or None, "waybill": waybill or None,
                   "carrier": carrier or None, "invoice": invoice or None, "items": items_by[oid]}
            fh.write(json.dumps(obj, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
