"""Chinese translations of kefu's messages (msgid -> msgstr). tools/build_catalog.py writes them
to kefu_cli/locale/zh/LC_MESSAGES/kefu.po and compiles kefu.mo. Placeholders stay as they are."""

ZH = {
    "error": "错误",
    "warning": "警告",
    "interrupted": "已中断",
    "for example --now 2026-09-30T10:00 or --now '2026-09-30 10:00+08:00'": "例如 --now 2026-09-30T10:00 或 --now '2026-09-30 10:00+08:00'",
    "run again with --traceback and report it": "请加 --traceback 重新运行并报告此问题",
    "--now: {value} is not a date and time": "--now：{value} 不是有效的日期时间",
    "{value} is not zh or en": "{value} 不是 zh 或 en",
    "see `{command} --help`": "参见 `{command} --help`",
    "internal error: {error}": "内部错误：{error}",
    "kefu: problems in the configuration: {count}": "kefu：配置中的问题数：{count}",
    "kefu: configuration is valid: {files}": "kefu：配置有效：{files}",
    "{file}: columns {kept} and {ignored} both mean {field}; using {kept}": "{file}：列 {kept} 和 {ignored} 都对应 {field}；使用 {kept}",
    "{file}: {count} of {total} orders have problems (rows {rows}{more}); see the problems field": "{file}：{total} 个订单中有 {count} 个存在问题（第 {rows}{more} 行）；详见 problems 字段",
    "items file: {count} rows name orders that are not in {file} (rows {rows})": "宝贝报表：有 {count} 行的订单不在 {file} 中（第 {rows} 行）",
    "must be a string": "必须是字符串",
    "must be a non-empty string": "必须是非空字符串",
    "must be a list of strings": "必须是字符串列表",
    "unknown key (known: {known})": "未知的键（可用：{known}）",
    "run `kefu config check` to see every problem": "运行 `kefu config check` 查看全部问题",
    "fix the value, then run `kefu config check`": "修改该值后运行 `kefu config check`",
    "{value} is not a time (use HH:MM, 00:00 to 23:59)": "{value} 不是时间（请用 HH:MM，00:00 至 23:59）",
    "{value} is not a whole number": "{value} 不是整数",
    "{value} is not a positive number": "{value} 不是正数",
    "{value} is not true or false": "{value} 不是 true 或 false",
    "{value} is not one of: {choices}": "{value} 不在可选值中：{choices}",
    "{value} is not a provider code (lower-case letters and digits, or empty)": "{value} 不是有效的接口编码（小写字母和数字，或留空）",
    "unknown key (did you mean {close}?)": "未知的键（是否想写 {close}？）",
    "must be a table": "必须是表（table）",
    "no warehouse is declared": "没有声明任何仓库",
    "pass an existing directory to --config-dir": "请给 --config-dir 传入一个存在的目录",
    "fix or unset KEFU_CONFIG_DIR": "请修正或取消 KEFU_CONFIG_DIR",
    "{value} is not an IANA time zone (for example Asia/Shanghai)": "{value} 不是 IANA 时区（例如 Asia/Shanghai）",
    "needs sku patterns or keywords to match anything": "需要 sku 规则或关键词才能匹配商品",
    "config directory {path} does not exist": "配置目录 {path} 不存在",
    "config directory {path} (from KEFU_CONFIG_DIR) does not exist": "配置目录 {path}（来自 KEFU_CONFIG_DIR）不存在",
    "{value} is not a valid regular expression: {error}": "{value} 不是有效的正则表达式：{error}",
    "{value} is not a code (upper-case letters, digits, _)": "{value} 不是有效编码（大写字母、数字、_）",
    "is missing": "缺失",
    "must be an array of tables ([[{name}]])": "必须是表数组（[[{name}]]）",
    "credentials do not belong in config files; remove it and set the environment variable instead": "凭据不应写在配置文件中；请删除并改用环境变量",
    "(and {count} more)": "（另有 {count} 个问题）",
    "not valid TOML: {error}": "不是有效的 TOML：{error}",
    "cannot read: {error}": "无法读取：{error}",
    "duplicate code {value}": "重复的编码 {value}",
    "{value} is not a declared warehouse (declared: {choices})": "{value} 不是已声明的仓库（已声明：{choices}）",
    "{value} is not an amount": "{value} 不是金额",
    "{value} is not a valid date or time": "{value} 不是有效的日期或时间",
    "{value} is not a known order status": "{value} 不是已知的订单状态",
    "{value} is not a flag colour": "{value} 不是旗帜颜色",
    "{value} is not yes or no": "{value} 不是“是”或“否”",
    "{value} is not a stock status (in_stock or made_to_order)": "{value} 不是库存状态（in_stock 或 made_to_order）",
    "no order number": "缺少订单编号",
    "{value} was mangled by Excel into scientific notation; export again with the number as text": "{value} 已被 Excel 改成科学计数法；请以文本格式重新导出",
    "the row has {value} cells, fewer than the header's; the missing ones are empty": "该行只有 {value} 个单元格，少于表头；缺少的按空值处理",
    "the row has {value} cells, more than the header's; the extra ones are ignored": "该行有 {value} 个单元格，多于表头；多出的已忽略",
    "bytes that are not valid {value} were replaced with U+FFFD": "无效的 {value} 字节已替换为 U+FFFD",
    "the row could not be read: {value}": "该行无法读取：{value}",
    "the line is not a JSON object: {value}": "该行不是 JSON 对象：{value}",
    "{value}: full-width digits read as ASCII": "{value}：全角数字已按半角读取",
    "{value}: thousands separators removed": "{value}：已去掉千位分隔符",
    "{value}: full-width digits and thousands separators normalised": "{value}：已转换全角数字并去掉千位分隔符",
    "pass --input-format csv, tsv, jsonl or json": "请指定 --input-format csv、tsv、jsonl 或 json",
    "save it as CSV (UTF-8 or GB18030) and read that": "请另存为 CSV（UTF-8 或 GB18030）后再读取",
    "give an order export in CSV, TSV, JSON or JSONL": "请提供 CSV、TSV、JSON 或 JSONL 格式的订单导出文件",
    "{file}: cannot tell the format from the name": "{file}：无法从文件名判断格式",
    "{file}: looks like an Excel workbook (.xlsx), not a text export": "{file}：看起来是 Excel 工作簿（.xlsx），不是文本导出文件",
    "{file}: not a text file (it contains binary data)": "{file}：不是文本文件（含有二进制数据）",
    "use utf-8, utf-8-sig, gb18030 or gbk": "请使用 utf-8、utf-8-sig、gb18030 或 gbk",
    "unknown encoding {encoding}": "未知的编码 {encoding}",
    "unknown input format {value}": "未知的输入格式 {value}",
    "rename the column, or declare its name under [columns] in shop.toml": "请重命名该列，或在 shop.toml 的 [columns] 中声明列名",
    "{file}: the file is empty": "{file}：文件为空",
    "use one of: {choices}": "可选：{choices}",
    "an order file starts with a header row": "订单文件的第一行应为表头",
    "{file}: no {column} column (looked for: {aliases})": "{file}：没有 {column} 列（查找过：{aliases}）",
    "{file}: no such file": "{file}：文件不存在",
    "{file}: is a directory, not a file": "{file}：是目录，不是文件",
    "{file}: cannot open: {error}": "{file}：无法打开：{error}",
    "{file}: cannot read: {error}": "{file}：无法读取：{error}",
    "{file}: a JSON file must hold an array of order objects": "{file}：JSON 文件必须是订单对象数组",
    "{file}: not an items file: no SKU or title column (商家编码, 外部系统编号, 标题)": "{file}：不是宝贝报表：没有 SKU 或标题列（商家编码、外部系统编号、标题）",
    "{file}: the header row cannot be read: {error}": "{file}：无法读取表头：{error}",
    "{file}: not valid JSON (line {line}): {error}": "{file}：不是有效的 JSON（第 {line} 行）：{error}",
    "unknown format {value}": "未知的格式 {value}",
    "unknown field {field}": "未知的字段 {field}",
    "fields are: {choices}": "可用字段：{choices}",
}
ZH["the file is not in {encoding}: drop --encoding or pass the right one"] = "文件不是 {encoding} 编码：去掉 --encoding 或指定正确的编码"

# routing and windows (issue 3)
ZH.update({
    "{country} {years} calendar not official yet: working days are estimated": "{country} {years} 年的工作日历尚未正式公布：工作日为估算",
    "give an order FILE, or a query (--sku or --warehouse, with --to)": "请提供订单文件，或单条查询（--sku 或 --warehouse，并加 --to）",
    "--sku, --warehouse, --to, --paid and --carrier are for a single query, not with FILE": "--sku、--warehouse、--to、--paid 和 --carrier 只用于单条查询，不能与文件同用",
    "see `kefu eta --help`": "参见 `kefu eta --help`",
    "a query needs --to ADDRESS": "单条查询需要 --to 地址",
    "a query needs --sku (or --title) or --warehouse": "单条查询需要 --sku（或 --title）或 --warehouse",
    "{count} of {total} orders have no window (unknown destination, no route or unroutable)": "{total} 个订单中有 {count} 个无法估算时效（地址无法识别、无线路或无法分仓）",
    "for example --paid 2026-09-30T10:00": "例如 --paid 2026-09-30T10:00",
    "unknown carrier {value}": "未知的物流公司 {value}",
    "--paid: {value} is not a date and time": "--paid：{value} 不是有效的日期时间",
    "unknown warehouse {value}": "未知的仓库 {value}",
    "give an order FILE, or --sku/--title for one line": "请提供订单文件，或用 --sku/--title 查询单个商品",
    "see `kefu route --help`": "参见 `kefu route --help`",
    "{count} of {total} lines match no product line (UNROUTABLE)": "{total} 行商品中有 {count} 行匹配不到产品线（UNROUTABLE）",
    "must be a list of dates": "必须是日期列表",
    "must be a table of stock statuses ({choices})": "必须是按库存状态的表（{choices}）",
    "must be a table of tiers ({choices})": "必须是按区域等级的表（{choices}）",
    "{key} is missing": "缺少 {key}",
    '{key} must be {{ min = N, max = N, unit = "working_days" | "calendar_days" }}': '{key} 必须是 {{ min = N, max = N, unit = "working_days" | "calendar_days" }}',
    "{key}: min and max must be whole numbers with 0 <= min <= max": "{key}：min 和 max 必须是整数且 0 <= min <= max",
    "{key}: unit {value} is not one of: {choices}": "{key}：单位 {value} 不在可选值中：{choices}",
    "{key} must be [min, max] days with 0 <= min <= max": "{key} 必须是 [min, max] 天数且 0 <= min <= max",
    "{value} is not a date (YYYY-MM-DD)": "{value} 不是日期（YYYY-MM-DD）",
    "{value} is not a year": "{value} 不是年份",
    "every date must be in {year}": "所有日期都必须在 {year} 年内",
    "calendar days": "自然日",
    "the destination cannot be placed: no province or prefecture recognised": "无法识别收货地：没有识别出省份或都道府县",
    "not paid: counted from now": "未付款：从当前时间起算",
    "paid {when} ({zone})": "付款时间 {when}（{zone}）",
    "working days ({calendar} calendar)": "个工作日（{calendar} 日历）",
    "ships {a}–{b} {unit} after day 0: {start} to {end}": "第 0 天后 {a}–{b} {unit}发货：{start} 至 {end}",
    "transit {a}–{b} days: arrives {start} to {end}": "运输 {a}–{b} 天：{start} 至 {end} 到达",
    "tier {tier} from {warehouse} ({province})": "从 {warehouse}（{province}）发货，区域等级 {tier}",
    "day 0 = {day}: a working day, paid before the {cutoff} cutoff": "第 0 天 = {day}：工作日，且在 {cutoff} 截单前付款",
    "after the {cutoff} cutoff": "在 {cutoff} 截单之后",
    "{day} is not a working day": "{day} 不是工作日",
    "day 0 = {day}: the next working day ({why})": "第 0 天 = {day}：下一个工作日（{why}）",
    "{warehouse} is in {wc}, the destination in {dc}: no route": "{warehouse} 在 {wc}，收货地在 {dc}：无线路",
    "the line has neither SKU nor title": "该行既无 SKU 也无标题",
    "stock on hand does not decide": "现有库存无法决定",
    "{line} is stocked in {warehouses}": "{line} 在 {warehouses} 有货",
    "destination country {country}: {warehouses}": "收货国家 {country}：{warehouses}",
    "destination country {country} does not decide": "收货国家 {country} 无法决定",
    "same province as the destination ({province})": "与收货地同省（{province}）",
    "no warehouse in the destination's province ({province})": "收货地所在省（{province}）没有仓库",
    "priority: {warehouse} ({priority})": "按优先级：{warehouse}（{priority}）",
    "a stock file has the columns sku, warehouse, available": "库存文件应有 sku、warehouse、available 三列",
    "SKU {sku} matches no product line's pattern": "SKU {sku} 不匹配任何产品线规则",
    "title {title} contains no product line's keyword": "标题 {title} 不含任何产品线关键词",
    "{line} is stocked only in {warehouse}": "{line} 只在 {warehouse} 有货",
    "stock on hand for {qty}: {warehouses}": "现有库存够 {qty} 件：{warehouses}",
    "{file}: row {row}: {value} is not a warehouse (declared: {choices})": "{file}：第 {row} 行：{value} 不是仓库（已声明：{choices}）",
    "{file}: row {row}: available {value} is not a whole number": "{file}：第 {row} 行：可用数量 {value} 不是整数",
    "SKU {sku} matches {pattern} of {line}": "SKU {sku} 匹配 {line} 的规则 {pattern}",
    "title contains {word}: {line}": "标题含有 {word}：{line}",
})

# audit (issue 4)
ZH.update({
    "no receiver name": "缺少收货人姓名",
    "no valid mobile or landline: {value}": "没有有效的手机号或座机号：{value}",
    "the platform masked the phone number: {value}": "平台已隐藏电话号码：{value}",
    "the address lacks {value}": "地址缺少{value}",
    "the address detail names {value}, not its province {province}": "详细地址中出现 {value}，与所在省 {province} 不符",
    "the buyer left a message: {value}": "买家留言：{value}",
    "staff memo to check: {value}": "需核对的客服备注：{value}",
    "an invoice is requested: {value}": "需要开发票：{value}",
    "line {value} matches no product line or warehouse": "第 {value} 行商品匹配不到产品线或仓库",
    "the lines ship from different warehouses: {value}": "商品需从不同仓库发货：{value}",
    "promised {value}, but the earliest arrival is {arrive}": "承诺 {value} 送达，但最早 {arrive} 才能到",
    "remote area: {value}": "偏远地区：{value}",
    "can ship together with order {value} (same buyer, receiver, phone and address)": "可与订单 {value} 合并发货（买家、收货人、电话、地址相同）",
    "the order number appears {value} times in the file": "该订单编号在文件中出现 {value} 次",
    "line {value} has a missing, zero or negative quantity": "第 {value} 行商品数量缺失、为零或为负",
    "{value}": "{value}",
    "paid {paid} + refund {refund} = {sum}, but {what} is {expected}": "实付 {paid} + 退款 {refund} = {sum}，但{what}为 {expected}",
    "partial refund {value} of {total}": "部分退款 {value}（共 {total}）",
    "fully refunded: {value}": "已全额退款：{value}",
    "not paid, so not audited": "未付款，不审核",
    "paid {value} hours ago and not shipped (limit {limit} hours)": "付款已 {value} 小时仍未发货（时限 {limit} 小时）",
    "row {value} could not be read: {why}": "第 {value} 行无法读取：{why}",
    "the total": "总金额",
    "goods + shipping - discount": "货款 + 邮费 - 优惠",
    "none given": "未填写",
    "a province": "省份",
    "street detail": "详细街道地址",
    "{field} is negative: {amount}": "{field} 为负数：{amount}",
    "skipped {code}: no {columns} column": "已跳过 {code}：没有 {columns} 列",
    "audited {total} orders: {verdicts}": "已审核 {total} 个订单：{verdicts}",
    "rows that could not be read: {rows}": "无法读取的行：{rows}",
    "findings: {codes}": "问题：{codes}",
    "{file}: column {column} holds only provinces: read as province": "{file}：{column} 列只有省份：按省份读取",
})

# buyer messages (issue 6)
ZH.update({
    "quiet hours ({start}-{end}): no reminders now": "免打扰时段（{start}-{end}）：现在不发催付",
    "kefu: templates follow the house rules: {file}": "kefu：话术模板符合店铺规范：{file}",
    "{order_id}: skipped {kind}: {reason}": "{order_id}：跳过 {kind}：{reason}",
    'must be ["HH:MM", "HH:MM"] (start, end)': '必须是 ["HH:MM", "HH:MM"]（开始、结束）',
    "{value} is not a duration (like 30m, 12h, 3d)": "{value} 不是时长（例如 30m、12h、3d）",
    "must be an array of tables": "必须是表数组",
    "needs a name": "需要 name",
    "needs exactly one of after_created, before_close": "after_created 和 before_close 必须且只能有一个",
    "a lone $ (write $$ for a dollar sign)": "单独的 $（美元符号请写成 $$）",
    "absolute word {word}": "绝对化用语 {word}",
    "blunt refusal {word}": "生硬拒绝用语 {word}",
    "a promised delivery time slot: {text}": "承诺了送货时段：{text}",
    "unknown placeholder ${name} (known: {known})": "未知的占位符 ${name}（可用：{known}）",
    "position {pos}: {message}": "第 {pos} 个字符：{message}",
    "{file}: {key}: a rendered sample is {length} characters, more than one SMS segment ({segment})": "{file}：{key}：示例渲染后 {length} 个字符，超过一条短信（{segment}）",
    "no phone number: send it another way": "没有电话号码：请用其他方式发送",
    "no waybill": "没有运单号",
    "no arrival window ({reason})": "无法估算送达时间（{reason}）",
    "not routable": "无法分仓",
    "pass a writable file with --state or KEFU_STATE": "请用 --state 或 KEFU_STATE 指定一个可写的文件",
    "state file {path}: {error}": "状态文件 {path}：{error}",
})

# hostile inputs
ZH.update({
    "lines {value} were read as one row: an unbalanced quote (\") may have joined them; check those lines": "第 {value} 行被读成了一行：可能有未配对的引号（\"）把它们连在一起；请检查这些行",
    "{file}: columns {kept} ({kept_name}) and {ignored} ({ignored_name}) both mean {field}; using column {kept}": "{file}：第 {kept} 列（{kept_name}）和第 {ignored} 列（{ignored_name}）都对应 {field}；使用第 {kept} 列",
})
del ZH["{file}: columns {kept} and {ignored} both mean {field}; using {kept}"]

# tracking (issue 5)
ZH.update({
    "give waybills, - for standard input, or --orders FILE": "请提供运单号，用 - 从标准输入读取，或用 --orders 指定订单文件",
    "see `kefu track --help`": "参见 `kefu track --help`",
    "no 快递100 credentials: {missing} not set": "没有快递100凭据：未设置 {missing}",
    "{count} of {total} waybills have no answer (see the error field)": "{total} 个运单中有 {count} 个没有查询结果（见 error 字段）",
    "set {customer} and {key} in the environment (never in a config file)": "请在环境变量中设置 {customer} 和 {key}（不要写在配置文件里）",
    "{value} is not an http(s) URL": "{value} 不是 http(s) 网址",
    "no carrier's waybill pattern matches: pass --carrier": "没有物流公司的运单号规则匹配：请指定 --carrier",
    "{carrier} has no tracking code: track it on the carrier's site": "{carrier} 没有查询编码：请到物流公司网站查询",
    "{carrier} needs the receiver's phone (last 4 digits): pass --phone or a phone column": "{carrier} 需要收件人电话（后4位）：请用 --phone 或电话列",
    "unknown carrier {value}: see config/carriers.toml": "未知的物流公司 {value}：见 config/carriers.toml",
    "{count} characters: {names} — pass --carrier": "{count} 位：{names} —— 请指定 --carrier",
    "being queried by another run: see the next run": "另一个进程正在查询：请看下一次运行的结果",
    "phone check failed (408): pass the receiver's phone, last 4 digits": "电话校验失败（408）：请提供收件人电话后4位",
    "{host} answered HTTP {code}": "{host} 返回 HTTP {code}",
    "{host} sent a malformed answer": "{host} 返回的内容无法解析",
    "the provider rejected the query ({code}): {text}": "接口拒绝了查询（{code}）：{text}",
    "{host} did not answer in time": "{host} 未在时限内应答",
    "cannot reach {host}: {error}": "无法连接 {host}：{error}",
    "provider busy ({code}): {text}": "接口繁忙（{code}）：{text}",
    "the provider refused the credentials ({code}): {text}": "接口拒绝了凭据（{code}）：{text}",
})
ZH["{var}: only http:// and https:// proxies are supported"] = "{var}：只支持 http:// 和 https:// 代理"
ZH["point it at an HTTP proxy, or unset it"] = "请改为 HTTP 代理，或取消该设置"
ZH["shipped by {day}: only the transit is left"] = "{day} 前已发出：只剩运输时间"
ZH['{value}: Excel\'s ="…" wrapper removed'] = '{value}：已去掉 Excel 的 ="…" 包装'

# Command-line help: option help= texts and command docstrings (helptext.speak looks them up with the
# English as msgid). Lines inside a \b block (examples) are kept as they are.
ZH.update({
    "kefu: the ops desk's toolkit for order files — read, audit, route, track, message.\n\n\b\nExample:\n"
    "  kefu orders examples/taobao_orders.csv --items examples/taobao_items.csv":
    "kefu：客服/运营的订单文件工具箱——读取、审单、分仓、查物流、发消息。\n\n\b\n示例：\n"
    "  kefu orders examples/taobao_orders.csv --items examples/taobao_items.csv",
    "Configuration directory [env KEFU_CONFIG_DIR; default ./config if present, else the packaged defaults].":
    "配置目录 [环境变量 KEFU_CONFIG_DIR；默认：有 ./config 就用它，否则用安装包自带的默认配置]。",
    "Language of messages [env KEFU_LANG; default from the locale].": "提示信息的语言 [环境变量 KEFU_LANG；默认取自系统语言环境]。",
    "Take this as the current time (reproducible runs) [env KEFU_NOW].": "把这个时间当作现在（可重现的运行）[环境变量 KEFU_NOW]。",
    "No warnings (errors are always shown).": "不显示警告（错误总会显示）。",
    "Show the stack on errors [env KEFU_TRACEBACK=1].": "出错时显示调用栈 [环境变量 KEFU_TRACEBACK=1]。",
    "Leave out the header row (table, csv, tsv).": "不输出表头行（table、csv、tsv）。",
    "Only these fields, in this order.": "只输出这些字段，按这个顺序。",
    "Output format [default: table on a terminal, else tsv].": "输出格式 [默认：终端上为 table，否则为 tsv]。",
    "Audit orders before they ship: receiver, phone, address, memos, promises, amounts, refunds.\n\n"
    "One record per order: verdict pass | hold | reject | skip, flag red (may ship) | blue (refund\n"
    "asked) | green (hold) | none, the warehouses, and findings with stable codes. Rules whose\n"
    "columns the file lacks are skipped and named on stderr. Exit 1 when any finding reaches\n--fail-on.\n\n"
    "\b\nExample:\n  kefu audit examples/taobao_orders.csv --items examples/taobao_items.csv --only-problems\n"
    "  kefu audit today.csv -f jsonl --fail-on warning > audit.jsonl || mail -s \"audit\" desk < audit.jsonl":
    "发货前审单：收货人、电话、地址、留言备注、承诺时效、金额、退款。\n\n"
    "每个订单一条记录：verdict 为 pass | hold | reject | skip，flag 为 red（可发货）| blue（已申请退款）| "
    "green（暂缓）| none，另有发货仓和带固定代码的 findings。文件缺少所需列的规则会被跳过，并在 stderr "
    "上说明。有 finding 达到 --fail-on 时退出码为 1。\n\n"
    "\b\n示例：\n  kefu audit examples/taobao_orders.csv --items examples/taobao_items.csv --only-problems\n"
    "  kefu audit today.csv -f jsonl --fail-on warning > audit.jsonl || mail -s \"audit\" desk < audit.jsonl",
    "Print only orders on hold or rejected.": "只输出暂缓（hold）或驳回（reject）的订单。",
    "Also print counts per verdict and per code to stderr.": "另在 stderr 上输出按结论和按代码的计数。",
    "Print the counts as the output instead of the orders.": "只输出计数，不输出订单。",
    "Exit 1 when a finding of this severity or worse is found.": "出现该级别或更严重的 finding 时退出码为 1。",
    "Check or show the configuration (shop.toml, warehouses.toml, carriers.toml).":
    "检查或显示配置（shop.toml、warehouses.toml、carriers.toml）。",
    "Validate the configuration and report every problem with its file and key.\n\n"
    "Exit 0 when it is valid, 2 when anything is wrong.\n\n\b\nExample:\n  kefu config check\n"
    "  kefu --config-dir ./myshop config check":
    "校验配置，逐条报告问题及其所在文件和键。\n\n配置有效时退出码为 0，有任何问题时为 2。\n\n\b\n示例：\n"
    "  kefu config check\n  kefu --config-dir ./myshop config check",
    "Print the effective settings and the file each one came from.\n\n\b\nExample:\n"
    "  kefu config show -f tsv | grep '^warehouse'":
    "输出实际生效的设置及每项来自哪个文件。\n\n\b\n示例：\n  kefu config show -f tsv | grep '^warehouse'",
    "Estimate ship and arrival windows from stock, working-day calendars and the destination.\n\n"
    "Working days follow each warehouse's calendar (China with its make-up workdays, or Japan).\n"
    "A window touching a year whose calendar is not official yet is still computed; it carries a\n"
    "calendar_note and one warning goes to stderr. An address kefu cannot place, or one in\n"
    "another country than the warehouse, keeps its record with dates empty: exit 1 at the end.\n\n"
    "\b\nExample:\n  kefu eta examples/taobao_orders.csv --items examples/taobao_items.csv\n"
    "  kefu eta --sku DS1205 --to \"广东省深圳市南山区科技园\" --paid 2026-09-30T10:00 --stock in_stock\n"
    "  kefu eta --warehouse NORTH --to \"北京市朝阳区建国路88号\" --paid \"2026-09-30 10:00\" --explain -f json":
    "根据库存状态、工作日历和收货地估算发货和到货时间窗。\n\n"
    "工作日按各仓的日历计算（中国含调休上班日，或日本）。时间窗涉及日历尚未官方公布的年份时照样计算，"
    "记录带 calendar_note，并在 stderr 上给出一条警告。无法定位的地址，或与发货仓不在同一国家的地址，"
    "仍保留记录但日期为空，结束时退出码为 1。\n\n"
    "\b\n示例：\n  kefu eta examples/taobao_orders.csv --items examples/taobao_items.csv\n"
    "  kefu eta --sku DS1205 --to \"广东省深圳市南山区科技园\" --paid 2026-09-30T10:00 --stock in_stock\n"
    "  kefu eta --warehouse NORTH --to \"北京市朝阳区建国路88号\" --paid \"2026-09-30 10:00\" --explain -f json",
    "One query: the SKU (its product line picks the warehouse).": "单次查询：SKU（由其产品线决定发货仓）。",
    "One query: the title, when the SKU does not decide.": "单次查询：商品标题（SKU 无法决定时使用）。",
    "One query: ship from this warehouse instead of routing.": "单次查询：指定从该仓发货，不做分仓。",
    "One query: the destination address.": "单次查询：收货地址。",
    "One query: when it was paid [default: now]; naive = shop time zone.": "单次查询：付款时间 [默认：现在]；不带时区时按店铺时区。",
    "Stock status [default: the product line's].": "库存状态 [默认：取产品线的设置]。",
    "One query: the carrier (its transit days, where configured).": "单次查询：快递公司（已配置时使用其运输天数）。",
    "Add day 0 and every step (field steps).": "附上起算日和每一步推算（steps 字段）。",
    "Print the payment reminders (催付) due now, one per line, for a sender to pipe on.\n\n"
    "Stages come from shop.toml [remind] (defaults: 30 minutes and 12 hours after the order, and 2\n"
    "hours before the platform closes it 72 hours after creation). Nothing is printed inside quiet\n"
    "hours. Each (order, stage) goes out once, and each buyer and phone at most once a day: the\n"
    "ledger in the state file remembers, so it is safe to run from cron every few minutes.\n\n"
    "\b\nExample:\n  kefu --now \"2026-11-22 10:00\" remind examples/taobao_orders.csv --dry-run -f jsonl\n"
    "  */10 * * * * kefu remind exports/unpaid.csv -f tsv --fields phone,text | sms-send":
    "输出此刻到期的催付消息，每行一条，交给发送程序。\n\n"
    "催付阶段来自 shop.toml [remind]（默认：下单后 30 分钟和 12 小时，以及平台在下单 72 小时后关闭订单前的 "
    "2 小时）。免打扰时段内不输出。每个（订单，阶段）只发一次，每个买家和手机号每天最多一次：状态文件中的"
    "台账会记住，所以可以放心地每隔几分钟从 cron 运行。\n\n"
    "\b\n示例：\n  kefu --now \"2026-11-22 10:00\" remind examples/taobao_orders.csv --dry-run -f jsonl\n"
    "  */10 * * * * kefu remind exports/unpaid.csv -f tsv --fields phone,text | sms-send",
    "Print order notices: accepted (paid, not shipped), shipped (with carrier, waybill and arrival\n"
    "window) or delay (made to order), once per order and kind.\n\n"
    "An order that lacks what its message needs (a shipped order without a waybill) is reported on\n"
    "stderr as skipped, with the reason.\n\n"
    "\b\nExample:\n  kefu --now \"2026-10-05 12:00\" notify shipped examples/taobao_orders.csv --dry-run -f jsonl":
    "输出订单通知：accepted、shipped 或 delay，每个订单每种只发一次。\n\n"
    "accepted 为已付款未发货，shipped 附快递公司、运单号和到货时间窗，delay 用于定制商品。"
    "缺少消息所需内容的订单（如已发货却没有运单号）会在 stderr 上报告为跳过，并说明原因。\n\n"
    "\b\n示例：\n  kefu --now \"2026-10-05 12:00\" notify shipped examples/taobao_orders.csv --dry-run -f jsonl",
    "The shop's message templates (messages.toml).": "店铺的消息模板（messages.toml）。",
    "Check the templates against the house rules: no absolute words, no blunt refusals, no\n"
    "promised time slot, no unknown placeholder; warn when a sample is longer than one SMS.\n\n"
    "\b\nExample:\n  kefu messages lint":
    "按店规检查模板：不用绝对化用语、不生硬拒绝、不承诺具体时段、没有未知占位符；示例超过一条短信长度时给出警告。\n\n"
    "\b\n示例：\n  kefu messages lint",
    "State file (the message ledger) [env KEFU_STATE; default ~/.local/state/kefu/state.db].":
    "状态文件（消息台账）[环境变量 KEFU_STATE；默认 ~/.local/state/kefu/state.db]。",
    "Print what is due without recording it in the ledger.": "只输出到期的消息，不记入台账。",
    "Read an order file and write it as canonical records.\n\n"
    "FILE is a Taobao/Tmall, JD or Pinduoduo export, or kefu's own CSV/TSV/JSON/JSONL;\n"
    "`-` reads standard input. Bad values never stop the run: each record carries its\n"
    "problems (row, column, what was wrong).\n\n"
    "\b\nExample:\n  kefu orders examples/taobao_orders.csv --items examples/taobao_items.csv -f jsonl\n"
    "  kefu orders examples/orders.jsonl --fields order_id,status,paid,province":
    "读取订单文件，输出为标准记录。\n\n"
    "FILE 可以是淘宝/天猫、京东或拼多多的导出文件，或 kefu 自己的 CSV/TSV/JSON/JSONL；`-` 表示读标准输入。"
    "错误的值不会中断运行：每条记录带有自己的问题（行号、列、错在哪里）。\n\n"
    "\b\n示例：\n  kefu orders examples/taobao_orders.csv --items examples/taobao_items.csv -f jsonl\n"
    "  kefu orders examples/orders.jsonl --fields order_id,status,paid,province",
    "Format of FILE [default: from the name, else sniffed].": "FILE 的格式 [默认：按文件名判断，否则自动识别]。",
    "Encoding of FILE [default: detected: utf-8, utf-8 with BOM, gb18030].": "FILE 的编码 [默认：自动识别 utf-8、带 BOM 的 utf-8、gb18030]。",
    "The items report (宝贝报表), one row per item, joined on 订单编号.": "宝贝报表，每个商品一行，按订单编号关联。",
    "Worker processes for large CSV/TSV files [default: one per CPU; 1 = none].": "处理大 CSV/TSV 文件的工作进程数 [默认：每个 CPU 一个；1 = 不用]。",
    "Pick the warehouse for each order line by product line.\n\n"
    "Product line by SKU pattern, then title keywords; where several warehouses stock it:\n"
    "destination country, then same province, then stock on hand (--stock), then priority.\n"
    "Exit 1 when a line matches no product line (reason UNROUTABLE).\n\n"
    "\b\nExample:\n  kefu route examples/taobao_orders.csv --items examples/taobao_items.csv\n"
    "  kefu route --sku DS1205 --to \"日本 東京都 新宿区西新宿2-8-1\" --explain":
    "按产品线为每个订单行选择发货仓。\n\n"
    "先按 SKU 规则、再按标题关键词确定产品线；有多个仓备货时依次比较：收货国家、同省、现有库存（--stock）、优先级。"
    "有订单行匹配不到产品线时退出码为 1（原因 UNROUTABLE）。\n\n"
    "\b\n示例：\n  kefu route examples/taobao_orders.csv --items examples/taobao_items.csv\n"
    "  kefu route --sku DS1205 --to \"日本 東京都 新宿区西新宿2-8-1\" --explain",
    "Route one line by SKU instead of reading FILE.": "按 SKU 为单个订单行分仓，不读取 FILE。",
    "The line's title (matched by keywords when the SKU does not decide).": "订单行的商品标题（SKU 无法决定时按关键词匹配）。",
    "Destination address, for the country and province tie-breaks.": "收货地址，用于按国家和省份取舍。",
    "Stock on hand (sku, warehouse, available): decides before priority.": "现有库存（sku、warehouse、available）：在优先级之前起作用。",
    "Add every rule tried and why it matched or not (field steps).": "附上尝试过的每条规则及是否匹配的原因（steps 字段）。",
    "Track waybills through 快递100 and normalise their status.\n\n"
    "Give waybills as arguments, `-` to read one per line (waybill[<TAB>carrier[<TAB>phone]]), or\n"
    "--orders FILE. One record per waybill; a failed one has `error` set. Exit 0 when all were\n"
    "answered, 1 when one is exception, refused, returned or stale (see --fail-on), 3 when the\n"
    "provider could not be reached or refused the credentials (records are still printed). A\n"
    "waybill that could not be asked (unknown carrier, phone missing) also makes it exit 1.\n\n"
    "\b\nExample:\n  KEFU_KUAIDI100_CUSTOMER=… KEFU_KUAIDI100_KEY=… kefu track 73512345678901 --phone 5678\n"
    "  kefu track --orders exports/shipped.csv --changed -f tsv    # hourly from cron":
    "通过快递100查询运单并统一物流状态。\n\n"
    "运单号作为参数给出，或用 `-` 从标准输入逐行读取（waybill[<TAB>carrier[<TAB>phone]]），或用 --orders FILE。"
    "每个运单一条记录；查询失败的记录带 `error`。全部查到时退出码为 0；有 exception、refused、returned 或 stale "
    "时为 1（见 --fail-on）；接口无法连接或拒绝凭据时为 3（记录照常输出）。无法查询的运单（快递公司未知、缺少手机号）"
    "也使退出码为 1。\n\n"
    "\b\n示例：\n  KEFU_KUAIDI100_CUSTOMER=… KEFU_KUAIDI100_KEY=… kefu track 73512345678901 --phone 5678\n"
    "  kefu track --orders exports/shipped.csv --changed -f tsv    # hourly from cron",
    "Carrier of the waybills given (code or name) [default: detected].": "所给运单的快递公司（代码或名称）[默认：自动识别]。",
    "Receiver's phone (last 4 digits), for SF and ZTO.": "收件人手机号（后 4 位），顺丰和中通需要。",
    "Track the waybill, carrier and phone columns of an order file.": "查询订单文件中的运单号、快递公司和电话列。",
    "Print every event instead of one record per waybill.": "输出每条物流轨迹，而不是每个运单一条记录。",
    "Print only waybills whose status changed since the last run (cron).": "只输出自上次运行以来状态有变化的运单（用于 cron）。",
    "Query even waybills queried in the last 30 minutes.": "30 分钟内查询过的运单也重新查询。",
    "Requests at once.": "同时进行的请求数。",
    "Requests per second at most.": "每秒最多请求数。",
    "Seconds per request.": "每个请求的超时秒数。",
    "Exit 1 on exception/refused/returned (error) or also stale (warning).": "出现 exception/refused/returned（error）或还包括 stale（warning）时退出码为 1。",
})

# click's own texts (usage errors, help headings), by click's msgids: cli.py points click's
# gettext functions at kefu's catalog. Plural forms are separate entries (i18n.ngettext).
CLICK = {
    "Usage:": "用法:",
    "Options": "选项",
    "Commands": "命令",
    "Show this message and exit.": "显示此帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing command.": "缺少命令。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "Did you mean {possibility}?": "是不是 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是不是其中之一：{possibilities}？）",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "Got unexpected extra argument ({args})": "多出了参数（{args}）",
    "Got unexpected extra arguments ({args})": "多出了参数（{args}）",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 需要 {nargs} 个值。",
    "Option {name!r} does not take a value.": "选项 {name!r} 不接受值。",
    "{value!r} is not {choice}.": "{value!r} 不是 {choice}。",
    "{value!r} is not one of {choices}.": "{value!r} 不在可选值 {choices} 中。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的 {number_type}。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "{value!r} 不是有效的布尔值。可用：{states}",
    "Aborted!": "已中止！",
}
