"""Shared helpers for kefu's benchmarks: generated exports, timing, peak memory.

Figures are ratios against a baseline measured in the same run on the same machine, never
absolute seconds: the machine's speed cancels out. Each figure is the best of N runs.
"""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
HEADERS = [
    "订单编号", "买家会员名", "买家支付宝账号", "买家应付货款", "买家应付邮费", "总金额", "买家实际支付金额",
    "订单状态", "买家留言", "收货人姓名", "收货地址 ", "运送方式", "联系电话 ", "联系手机", "订单创建时间",
    "订单付款时间 ", "宝贝标题 ", "宝贝种类", "物流单号 ", "物流公司", "订单备注", "宝贝总数量", "店铺名称",
    "退款金额", "打款商家金额",
]
PLACES = ["广东省 深圳市 南山区", "北京 北京市 朝阳区", "浙江省 杭州市 西湖区", "上海 上海市 浦东新区",
          "四川省 成都市 武侯区", "新疆维吾尔自治区 乌鲁木齐市 天山区", "河北省 石家庄市 长安区", "江苏省 南京市 鼓楼区"]
TITLES = ["北欧实木床 松木 1.5米", "乳胶床垫 独立弹簧 1.8米", "彩板儿童衣柜 三门", "手绘地中海床头柜", "KT韩式田园梳妆台"]
STATUSES = ["买家已付款，等待卖家发货"] * 6 + ["等待买家付款", "卖家已发货，等待买家确认", "交易成功", "交易关闭"]
SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗"


def generate(path: Path, rows: int, encoding: str, seed: int = 7) -> Path:
    """A Taobao-style 订单报表: 25 columns, Chinese text, the export's quirks (="…", ', 元)."""
    if path.exists() and path.stat().st_size > 0:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(seed)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADERS)
        for i in range(rows):
            price = rnd.choice(("899.00", "1299.00", "2499.00", "399.50", "5999.00"))
            ship = rnd.choice(("0.00", "0.00", "50.00"))
            total = f"{float(price) + float(ship):.2f}"
            status = rnd.choice(STATUSES)
            day = 1 + i % 28
            created = f"2026-03-{day:02d} {i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}"
            paid = "" if status == "等待买家付款" else f"2026-03-{day:02d} {i % 24:02d}:{(i + 3) % 60:02d}:{(i * 7) % 60:02d}"
            refund = "0.00" if rnd.random() > 0.05 else price
            w.writerow([
                f'="{3000000000000000000 + i * 7919}"', f"tb{rnd.randrange(10**8):08d}", "b***@163.com",
                price, ship, total, total, status, "请尽快发货，谢谢" if i % 7 == 0 else "",
                rnd.choice(SURNAMES) + rnd.choice(("伟", "芳", "娜", "敏", "静")),
                f"{rnd.choice(PLACES)} 幸福路{rnd.randrange(1, 999)}号{rnd.randrange(1, 30)}栋",
                "快递", "", f"'1{rnd.choice('3589')}{rnd.randrange(10**9):09d}", created, paid,
                rnd.choice(TITLES), "1", "", "", "", str(1 + i % 3), "木森家居旗舰店", refund, f"{total}元",
            ])
    tmp.rename(path)
    return path


def python() -> str:
    return sys.executable


def kefu_command() -> list[str]:
    """kefu as installed: its modules compiled to bytecode first, as pip does at install time
    (with PYTHONDONTWRITEBYTECODE set, a source checkout would compile every module on every
    start-up and the start-up figures would measure the compiler)."""
    global _compiled
    if not _compiled:
        import compileall
        import kefu_cli

        compileall.compile_dir(os.path.dirname(kefu_cli.__file__), quiet=1)
        _compiled = True
    return [sys.executable, "-m", "kefu_cli"]


_compiled = False


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out.extend(int(x) for x in fh.read().split())
    except OSError:
        pass
    return out


def run_measured(cmd: list[str], stdout=subprocess.DEVNULL, env=None) -> tuple[float, int, int]:
    """(wall seconds, peak RSS of the process tree summed in KiB, exit code). RSS is sampled every
    20 ms by a thread while this one waits for the exit, so the time is the process's own: a
    polling loop rounded a 25 ms start-up up to the next 20 ms step (22 or 41 ms for the same
    `python -c pass`)."""
    import threading

    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE, env=env)
    peak = 0
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            total = rss_kb(proc.pid) + sum(rss_kb(c) for c in children(proc.pid))
            peak = max(peak, total)
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    err = proc.stderr.read().decode(errors="replace")  # read until the pipe closes: the run ended
    proc.wait()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode not in (0, 1):
        print(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err}", file=sys.stderr)
    return elapsed, peak, proc.returncode


def best(cmd: list[str], repeat: int, env=None) -> tuple[float, int]:
    times, peaks = [], []
    for _ in range(repeat):
        t, p, _rc = run_measured(cmd, env=env)
        times.append(t)
        peaks.append(p)
    return min(times), max(peaks)


def bare_csv_command(path: Path, encoding: str) -> list[str]:
    code = ("import csv,sys\n"
            "with open(sys.argv[1], encoding=sys.argv[2], newline='') as f:\n"
            "    for row in csv.reader(f): pass\n")
    return [python(), "-c", code, str(path), encoding]


COLUMNS = ("benchmark", "baseline", "kefu", "ratio", "peak RSS", "note")


def table(rows: list[tuple], headers: tuple) -> str:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(headers, widths))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)) for r in rows]
    return "\n".join(lines)
