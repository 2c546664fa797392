"""The canonical order record: its fields, in output order (documented in the README).

A leaf module: it imports nothing of kefu's, so configuration, the reader and every capability
can name the fields without importing each other.
"""

# canonical order columns, in output order
CANONICAL_COLUMNS = (
    "order_id", "platform", "buyer", "status", "created_at", "paid_at", "total", "goods_amount",
    "shipping_fee", "discount", "platform_discount", "paid", "refund", "after_sale", "close_reason",
    "receiver", "phone", "mobile", "mobile_ext", "postal_code", "address", "province", "city", "district",
    "buyer_message", "seller_memo", "flag", "promised_date", "consulted", "stock", "waybill", "carrier",
    "invoice", "items",
)
# the fields a row's cells fill (items come from item rows, a summary or an items file)
ORDER_FIELDS = tuple(c for c in CANONICAL_COLUMNS if c != "items")
# a record as the reader yields it: the row it starts on, the fields, its items and problems
RECORD_FIELDS = ("row", *ORDER_FIELDS, "items", "problems")
