"""Header rows of Japanese order exports as the platforms write them, for fixtures.

RMS_HEADERS: 楽天ペイ受注管理's order download (受注データ CSV), 107 columns in the order written.
The list agrees, column for column, in two public order tools that read or write this download: a
PHP order importer's `CSV_FIELDS_RAKUTEN_PAY` and a Java (Spring) shop tool's
`rakutenFormatCSVDownload` header (found with code search on "送付先電話番号1"; not copied, the
names are the platform's). The tail of older downloads (お荷物伝票番号, 配送会社, 発送日) is added by
tools that fill the waybill back in, as the second of those tools does.

AMAZON_UNSHIPPED: Seller Central's 未出荷の注文レポート (unshipped orders, tab-separated) on
Amazon.co.jp: the Japanese layout (payment-method, cod-collectible-amount, scheduled-delivery-*)
and the columns added since (is-buyer-requested-cancellation, ssa-carrier, ssa-ship-method), named
below with where each list was seen.

QOO10_HEADERS: Qoo10's order CSV from QSM.

AMAZON_ALL_ORDERS: the All Orders report (GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL), as
an Airbyte connector's schema and public SP-API report readers list it; `item-price` there is the
line's total ("Total price for line item (quantity * unit price)", a public SP-API reports module).
"""

RMS_HEADERS = [
    "注文番号", "ステータス", "サブステータスID", "サブステータス", "注文日時", "注文日", "注文時間", "キャンセル期限日",
    "注文確認日時", "注文確定日時", "発送指示日時", "発送完了報告日時", "支払方法名", "クレジットカード支払い方法",
    "クレジットカード支払い回数", "配送方法", "配送区分", "注文種別", "複数送付先フラグ", "送付先一致フラグ", "離島フラグ",
    "楽天確認中フラグ", "警告表示タイプ", "楽天会員フラグ", "購入履歴修正有無フラグ", "商品合計金額", "消費税合計", "送料合計",
    "代引料合計", "請求金額", "合計金額", "ポイント利用額", "クーポン利用総額", "店舗発行クーポン利用額", "楽天発行クーポン利用額",
    "注文者郵便番号1", "注文者郵便番号2", "注文者住所都道府県", "注文者住所郡市区", "注文者住所それ以降の住所", "注文者姓",
    "注文者名", "注文者姓カナ", "注文者名カナ", "注文者電話番号1", "注文者電話番号2", "注文者電話番号3", "注文者メールアドレス",
    "注文者性別", "申込番号", "申込お届け回数", "送付先ID", "送付先送料", "送付先代引料", "送付先消費税合計",
    "送付先商品合計金額", "送付先合計金額", "のし", "送付先郵便番号1", "送付先郵便番号2", "送付先住所都道府県",
    "送付先住所郡市区", "送付先住所それ以降の住所", "送付先姓", "送付先名", "送付先姓カナ", "送付先名カナ", "送付先電話番号1",
    "送付先電話番号2", "送付先電話番号3", "商品明細ID", "商品ID", "商品名", "商品番号", "商品管理番号", "単価", "個数",
    "送料込別", "税込別", "代引手数料込別", "項目・選択肢", "ポイント倍率", "納期情報", "在庫タイプ", "ラッピングタイトル1",
    "ラッピング名1", "ラッピング料金1", "ラッピング税込別1", "ラッピング種類1", "ラッピングタイトル2", "ラッピング名2",
    "ラッピング料金2", "ラッピング税込別2", "ラッピング種類2", "お届け時間帯", "お届け日指定", "担当者", "ひとことメモ",
    "メール差込文 (お客様へのメッセージ)", "ギフト配送希望", "コメント", "利用端末", "メールキャリアコード", "あす楽希望フラグ",
    "医薬品受注フラグ", "楽天スーパーDEAL商品受注フラグ", "メンバーシッププログラム受注タイプ",
]
assert len(RMS_HEADERS) == 107

AMAZON_UNSHIPPED = [
    # the Japanese marketplace's layout, as two public shop tools list it (a Laravel model
    # AmazonYamatoItem::csvHeader and a Java tool's amazonHeader(), found with code search)
    "order-id", "order-item-id", "purchase-date", "payments-date", "reporting-date", "promise-date",
    "days-past-promise", "buyer-email", "buyer-name", "buyer-phone-number", "sku", "product-name",
    "quantity-purchased", "quantity-shipped", "quantity-to-ship", "ship-service-level", "recipient-name",
    "ship-address-1", "ship-address-2", "ship-address-3", "ship-city", "ship-state", "ship-postal-code",
    "ship-country", "payment-method", "cod-collectible-amount", "already-paid", "payment-method-fee",
    "scheduled-delivery-start-date", "scheduled-delivery-end-date", "points-granted", "is-prime",
    "verge-of-cancellation", "verge-of-lateShipment",
    # columns added since, as a public report-processing script's list of columns names them
    "is-buyer-requested-cancellation", "buyer-requested-cancel-reason", "ssa-carrier", "ssa-ship-method",
]

QOO10_HEADERS = [
    # Qoo10 QSM 配送管理 → 注文データ CSV, as a public Java shop tool's q10Header() lists it
    "配送状態", "注文番号", "カート番号", "配送会社", "送り状番号", "発送日", "注文日", "入金日", "お届け希望日", "発送予定日",
    "配送完了日", "配送方法", "商品番号", "商品名", "数量", "オプション情報", "オプションコード", "おまけ", "受取人名",
    "受取人名(フリガナ)", "受取人電話番号", "受取人携帯電話番号", "住所", "郵便番号", "国家", "送料の決済", "決済サイト", "通貨",
    "購入者決済金額", "販売価格", "割引額", "注文金額の合計", "供給原価の合計", "購入者名", "購入者名(フリガナ)", "配送要請事項",
    "購入者電話番号", "購入者携帯電話番号", "販売者商品コード", "JANコード", "規格番号", "プレゼント贈り主", "外部広告", "素材",
]

AMAZON_ALL_ORDERS = [
    "amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status",
    "fulfillment-channel", "sales-channel", "order-channel", "url", "ship-service-level", "product-name", "sku", "asin",
    "item-status", "quantity", "currency", "item-price", "item-tax", "shipping-price", "shipping-tax", "gift-wrap-price",
    "gift-wrap-tax", "item-promotion-discount", "ship-promotion-discount", "ship-city", "ship-state",
    "ship-postal-code", "ship-country", "promotion-ids", "is-business-order", "purchase-order-number",
    "price-designation",
]

# Yahoo!ショッピング's order download, its two files, as a public shop tool reads them
# (readOrderInfoCSV and readOrderItemInfoCSV, by position, Shift_JIS); the field names are those the
# order API uses (OrderId, ShipPrefecture, ShipInvoiceNumber1 …)
YAHOO_ORDER = [
    "OrderId", "ShopNameAndOrderId", "OrderTime", "ShipNameKana", "ShipName", "ShipZipCode", "ShipAddressFull",
    "ShipPrefecture", "ShipCity", "ShipAddress1", "ShipAddress2", "ShipPhoneNumber", "ShipMethodName",
    "ShipCompanyCode", "ShipInvoiceNumber1", "ShipInvoiceNumber2", "ShipDate", "BillMailAddress", "ShipCharge",
    "Total", "Referer", "PayMethodName", "CombinedPayMethodName", "ShipStatus", "PayStatus", "DeviceType",
]
YAHOO_ITEMS = [
    "OrderId", "Quantity", "ItemId", "SubCode", "Title", "ItemOptionName", "ItemOptionValue", "ItemOptionPrice",
    "SubCodeOption", "InscriptionName", "InscriptionValue", "UnitPrice", "PriceType", "UnitGetPoint", "LineSubTotal",
    "LineGetPoint", "PointFspCode", "CouponId", "CouponDiscount", "OriginalPrice", "IsGetPointFix", "GetPointType",
    "LineGetPointChargedToStore", "LeadTimeStart", "LeadTimeEnd", "LeadTimeText", "GetPointFixDate", "LineId",
]
