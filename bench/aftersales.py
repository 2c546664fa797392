"""`kefu aftersales` over 100,000 platform cases with their orders, and one replacement window's
start-up.

Usage: python bench/aftersales.py [--rows 100000] [--repeat 3]
Floors (issue 24): the batch <= 6x a bare csv.reader pass over the same two files (the refund
export and the order export); a single query (`kefu aftersales --part …`) <= 8x `python -c pass`.
The batch runs as a desk runs it (one worker per core: shares of the order numbers, merged); the
same batch in one process (`--jobs 1`) is measured too, against the same baseline.
The cases are a Taobao 退款 export of 42 columns, one refund per order of the generated 订单报表
(bench/common.generate), in every status the export shows.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path

from common import COLUMNS, OUT, best, generate, kefu_command, python, table

REFUND_HEADERS = (
    "订单编号 退款编号 支付宝交易号 订单付款时间 商品编码 退款完结时间 买家实际支付金额 宝贝标题 买家退款金额 手工退款/系统退款 "
    "是否需要退货 退款的申请时间 超时时间 退款状态 货物状态 退货物流信息 发货物流信息 客服介入状态 卖家真实姓名 卖家真实姓名新 "
    "卖家退货地址 卖家邮编 卖家电话 卖家手机 退货物流单号 退货物流公司 买家退款原因 买家退款说明 买家退货时间 责任方 售中或售后 "
    "商家备注 完结时间 部分退款/全部退款 审核操作人 举证超时 是否零秒响应 退款操作人 退款原因标签 业务类型 是否帮他退款 "
    "帮他退款操作账号").split()
STATES = ["买家已经申请退款，等待卖家同意", "卖家已经同意退款，等待买家退货", "买家已经退货，等待卖家确认收货",
          "退款成功", "退款关闭", "卖家拒绝退款"]
QUERY = ["aftersales", "--part", "板件", "--approved", "2026-11-20 15:10", "--to", "广东省深圳市南山区科技园"]


def refunds(path: Path, rows: int, seed: int = 11) -> Path:
    if path.exists() and path.stat().st_size > 0:
        return path
    rnd = random.Random(seed)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(REFUND_HEADERS)
        for i in range(rows):
            day = 1 + i % 28
            status = rnd.choice(STATES)
            done = status in ("退款成功", "退款关闭")
            row = dict.fromkeys(REFUND_HEADERS, "")
            row.update({"订单编号": f'="{3000000000000000000 + i * 7919}"', "退款编号": str(4000000000000000 + i),
                        "买家实际支付金额": "1299.00", "宝贝标题": "北欧实木床 松木 1.5米", "买家退款金额": "200.00",
                        "手工退款/系统退款": "手工退款", "是否需要退货": rnd.choice(("是", "否")),
                        "退款的申请时间": f"2026-11-{day:02d} {i % 24:02d}:{i % 60:02d}:00",
                        "超时时间": "" if done else f"2026-11-{min(day + 2, 30):02d} {i % 24:02d}:{i % 60:02d}:00",
                        "退款状态": status, "货物状态": "买家已收到货", "客服介入状态": "客服未介入",
                        "买家退款原因": rnd.choice(("收到商品破损", "七天无理由退换货", "色差", "尺寸不合适")),
                        "退款完结时间": f"2026-11-{day:02d} 20:00:00" if done else "", "售中或售后": "售后退款",
                        "部分退款/全部退款": "部分退款"})
            w.writerow(row.values())
    tmp.rename(path)
    return path


def bare_two(paths: list[Path]) -> list[str]:
    code = ("import csv,sys\n"
            "for p in sys.argv[1:]:\n"
            "    with open(p, encoding='utf-8', newline='') as f:\n"
            "        for row in csv.reader(f): pass\n")
    return [python(), "-c", code, *map(str, paths)]


def measure(rows_n: int, repeat: int) -> list[tuple]:
    orders = generate(OUT / f"taobao_{rows_n}_utf-8.csv", rows_n, "utf-8")
    cases = refunds(OUT / f"taobao_refunds_{rows_n}.csv", rows_n)
    bare, _ = best(bare_two([cases, orders]), repeat)
    state = str(OUT / "no-state.db")
    command = [*kefu_command(), "-q", "--now", "2026-11-20 15:30", "aftersales", str(cases), "--orders", str(orders),
               "--state", state, "-f", "jsonl"]
    batch, rss = best(command, repeat)
    alone, alone_rss = best([*command, "--jobs", "1"], repeat)
    base, _ = best([python(), "-c", "pass"], 15)
    query, _ = best([*kefu_command(), "-q", "--now", "2026-11-20 16:00", *QUERY, "--state", state], 15)
    return [("aftersales batch", f"bare csv.reader {bare:.2f}s", f"{batch:.2f}s", f"{batch / bare:.2f}x",
             f"{rss / 1024:.0f} MB", f"{rows_n:,} cases + their orders, one worker per core; floor 6x"),
            ("aftersales batch, --jobs 1", f"bare csv.reader {bare:.2f}s", f"{alone:.2f}s", f"{alone / bare:.2f}x",
             f"{alone_rss / 1024:.0f} MB", "the same in one process"),
            ("aftersales single query", f"python -c pass {base * 1000:.0f}ms", f"{query * 1000:.0f}ms",
             f"{query / base:.2f}x", "-", "start-up included; floor 8x")]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(table(measure(args.rows, args.repeat), COLUMNS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
