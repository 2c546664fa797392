"""Regenerates the CITIES text of kefu_cli/orders/cn_cities.py from a GB/T 2260 code list.

Input: the Ministry of Civil Affairs' "中华人民共和国行政区划代码" list saved as text, one division
per line as `<6-digit code> <name>` (tabs or spaces). Level-2 divisions are the codes ending in
"00" but not "0000"; their province is the level-1 code with the same first two digits.
Usage: python tools/make_cn_cities.py codes.txt  (prints the CITIES block to paste in)
"""

import re
import sys

sys.path.insert(0, __import__("os").path.join(__import__("os").path.dirname(__file__), ".."))

from kefu_cli.orders.regions import CN_PROVINCES  # noqa: E402


def main(path: str) -> None:
    provinces: dict[str, str] = {}
    cities: dict[str, list[str]] = {}
    for line in open(path, encoding="utf-8"):
        m = re.match(r"\s*(\d{6})\s+(\S+)", line)
        if not m:
            continue
        code, name = m.groups()
        if code.endswith("0000"):
            provinces[code[:2]] = CN_PROVINCES.get(name, name)
        elif code.endswith("00") and not name.endswith(("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")):
            cities.setdefault(code[:2], []).append(name)
    for prefix, names in cities.items():
        print(f"{provinces[prefix]}: {' '.join(names)}")


if __name__ == "__main__":
    main(sys.argv[1])
