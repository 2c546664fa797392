"""The canonical order record: its fields, in output order (documented in the README).

A leaf module: it imports nothing of kefu's, so configuration, the reader and every capability
can name the fields without importing each other.
"""

# canonical order columns, in output order
CANONICAL_COLUMNS = (
    "order_id", "platform", "buyer", "status", "created_at", "paid_at", "total", "goods_amount",
    "shipping_fee", "discount", "platform_discount", "paid", "refund", "after_sale", "close_reason",
    "receiver", "phone", "mobile", "mobile_ext", "postal_code", "address", "province", "city", "district",
    "buyer_message", "seller_memo", "flag", "promised_date", "delivery_slot", "ship_deadline", "consulted", "stock", "waybill", "carrier",
    "invoice", "items",
)
# the fields a row's cells fill (items come from item rows, a summary or an items file)
ORDER_FIELDS = tuple(c for c in CANONICAL_COLUMNS if c != "items")
# a record as the reader yields it: the row it starts on, the fields, its items and problems
RECORD_FIELDS = ("row", *ORDER_FIELDS, "items", "problems")

# ----------------------------------------------------------------------------- after-sales cases
# The canonical after-sales case: one row of a platform's refund/return export (退款管理, the
# Amazon returns report, …) or of the desk's own ticket register (售后服务项目表), read by the same
# reader as orders (orders/reader.OrderFile with kind "aftersales") through the profiles in
# config/aftersales/*.toml. Fields by how a cell becomes a value:
CASE_IDS = ("case_id", "order_id", "ticket_id", "return_waybill", "reship_waybill")  # Excel's ="…" dropped
CASE_TEXT = ("platform", "return_carrier", "reason", "description", "responsible", "sku", "item_title", "rep",
             "handler", "problem", "solution", "result", "part_type", "phase", "intervention", "in_policy")
CASE_TIMES = ("requested_at", "platform_deadline", "evidence_deadline", "received_at", "approved_at",
              "reshipped_at", "returned_at", "return_delivered_at", "closed_at")
CASE_MONEY = ("refund_amount", "paid")
CASE_FLAGS = ("photo_board", "photo_package", "installed", "a_to_z")  # yes/no; a photo cell may hold a link
CASE_WORDS = ("type", "platform_status", "goods_status")  # read through the profile's vocabularies
CASE_FIELDS = (*CASE_IDS, *CASE_TEXT, *CASE_WORDS, *CASE_TIMES, *CASE_MONEY, *CASE_FLAGS)
CASE_RECORD_FIELDS = ("row", "source", *CASE_FIELDS, "problems")
# the words of each vocabulary (the profiles' [types], [statuses], [goods] map a file's words onto them)
CASE_TYPES = ("refund_only", "return_refund", "exchange", "reship", "repair", "price_protect", "reject_return", "other")
CASE_STATUSES = ("requested", "awaiting_return", "awaiting_receipt", "refused", "platform_review", "refunded",
                 "closed", "in_progress")
GOODS_STATUSES = ("not_received", "received", "returned", "seller_received")
