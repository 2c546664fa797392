"""Which input column feeds which canonical field.

Headers are compared after trimming spaces (also the trailing ones Taobao writes, full-width
spaces and a BOM) and case-folding. The built-in aliases cover the canonical English names and
the Taobao/Tmall, JD and Pinduoduo exports; config/shop.toml [columns] adds more.

One header means different things on different platforms: Taobao's 订单备注 is the seller's memo,
JD's 订单备注 is the buyer's note (JD's seller memo is 商家备注). The platform is recognised from
the header set, and its profile decides those.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kefu_cli.orders.schema import ORDER_FIELDS

# canonical or internal name -> headers (the canonical name itself is always accepted)
ALIASES: dict[str, tuple[str, ...]] = {
    "order_id": ("订单编号", "订单号", "订单ID", "主订单编号", "order id", "order_no", "order"),
    "platform": ("平台", "来源平台", "销售平台"),
    "buyer": ("买家会员名", "买家昵称", "买家", "会员名", "下单帐号", "下单账号", "买家账号"),
    "status": ("订单状态", "交易状态"),
    "created_at": ("订单创建时间", "下单时间", "创建时间", "订单提交时间", "成交时间"),
    "paid_at": ("订单付款时间", "付款时间", "支付时间", "付款确认时间"),
    "total": ("总金额", "订单金额", "订单总金额"),
    "goods_amount": ("买家应付货款", "商品金额", "货款", "商品总价"),
    "shipping_fee": ("买家应付邮费", "运费", "邮费", "运费金额"),
    "discount": ("优惠金额", "店铺优惠", "优惠", "折扣金额", "商家优惠"),
    "paid": ("买家实际支付金额", "实付金额", "实际支付金额", "用户实付金额", "应付金额"),
    "refund": ("退款金额", "已退款金额"),
    "receiver": ("收货人姓名", "收货人", "客户姓名", "收件人", "收件人姓名"),
    "phone": ("联系电话", "固定电话", "收货人电话"),
    "mobile": ("联系手机", "手机", "手机号", "收货人手机", "收件人手机", "收件人手机号"),
    "address": ("收货地址", "客户地址", "详细地址", "收货人地址", "收件地址"),
    "province": ("省", "省份", "收货省份", "所在省"),
    "city": ("市", "城市", "收货城市", "所在市"),
    "district": ("区", "区县", "收货区县", "所在区"),
    "buyer_message": ("买家留言", "买家备注"),
    "seller_memo": ("卖家备注", "客服备注", "商家备注", "备注"),
    "flag": ("旗帜", "插旗", "旗帜颜色", "订单旗帜", "标记"),
    "promised_date": ("承诺日期", "约定日期", "约定送货日期", "承诺送达日期", "预约送货日期", "promised"),
    "consulted": ("是否咨询", "咨询过", "询单"),
    "stock": ("库存状态", "现货状态", "发货类型"),
    "waybill": ("物流单号", "运单号", "快递单号", "tracking number"),
    "carrier": ("物流公司", "快递公司", "承运商"),
    "invoice": ("发票抬头", "发票"),
    # one row per item: these make a row an item line
    "item_sku": ("商家编码", "商品编码", "sku编码", "货号", "sku"),
    "item_sku_alt": ("外部系统编号",),  # used when 商家编码 is empty
    "item_title": ("标题", "商品名称", "title"),
    "item_qty": ("购买数量", "数量", "订购数量", "商品数量", "qty", "quantity"),
    "item_price": ("价格", "单价", "商品单价", "京东价", "price"),
    # order-level summary of the goods (Taobao 订单报表): one item line without a SKU
    "summary_title": ("宝贝标题",),
    "summary_qty": ("宝贝总数量",),
}

# per platform: headers whose meaning differs from the common table
PROFILES: dict[str, dict[str, str]] = {
    "taobao": {"订单备注": "seller_memo"},
    "jd": {"订单备注": "buyer_message", "商家备注": "seller_memo"},
    "pinduoduo": {"订单备注": "buyer_message", "商家备注": "seller_memo"},
    "generic": {"订单备注": "seller_memo"},
}

# per platform: the zone its export writes times in when they carry no offset (a platform not
# listed, or a file kefu cannot attribute, is in the shop's zone: shop.toml `timezone`)
PLATFORM_ZONES: dict[str, str] = {"taobao": "Asia/Shanghai", "jd": "Asia/Shanghai", "pinduoduo": "Asia/Shanghai"}

# headers that identify a platform's export
SIGNATURES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("taobao", ("买家会员名", "买家实际支付金额")),
    ("taobao", ("买家会员名", "订单编号")),
    ("jd", ("订单号", "客户姓名")),
    ("pinduoduo", ("商品id", "订单号")),
)

ITEM_ROW_FIELDS = ("item_sku", "item_price")  # their presence means one row per item


def normalise_header(header: str) -> str:
    return header.replace("\ufeff", "").replace("\u3000", " ").replace("\u200b", "").strip().lower()


@dataclass
class ColumnPlan:
    headers: list[str]
    platform: str
    index: dict[str, int]  # canonical/internal name -> column index
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)  # (name, kept, ignored)
    unknown: list[str] = field(default_factory=list)

    @property
    def item_rows(self) -> bool:
        return any(f in self.index for f in ITEM_ROW_FIELDS)

    def has(self, name: str) -> bool:
        return name in self.index


def detect_platform(normalised: set[str]) -> str:
    for platform, required in SIGNATURES:
        if all(h in normalised for h in required):
            return platform
    return "generic"


def plan_columns(headers: list[str], extra_aliases: dict[str, list[str]] | None = None) -> ColumnPlan:
    normalised = [normalise_header(h) for h in headers]
    platform = detect_platform(set(normalised))
    lookup: dict[str, str] = {}
    for name in tuple(ALIASES) + ORDER_FIELDS:
        lookup[name.lower()] = name
    for name, aliases in ALIASES.items():
        for alias in aliases:
            lookup[alias.lower()] = name
    for header, name in PROFILES[platform].items():
        lookup[header.lower()] = name
    for name, aliases in (extra_aliases or {}).items():  # the shop's own names win
        for alias in aliases:
            lookup[normalise_header(alias)] = name
    plan = ColumnPlan(headers=list(headers), platform=platform, index={})
    for i, header in enumerate(normalised):
        name = lookup.get(header)
        if name is None:
            if header:
                plan.unknown.append(headers[i])
            continue
        if name in plan.index:
            plan.duplicates.append((name, plan.index[name], i))
            continue
        plan.index[name] = i
    return plan
