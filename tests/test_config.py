import json
import shutil
from pathlib import Path

import pytest

from conftest import ROOT
from kefu_cli.cli.context import config_checks
from kefu_cli.config import check_config, find_config_dir, load_config, packaged_dir
from kefu_cli.errors import ConfigError


@pytest.fixture
def confdir(tmp_path):
    d = tmp_path / "conf"
    shutil.copytree(ROOT / "config", d)
    return d


def test_packaged_defaults_are_valid_and_complete():
    cfg = load_config(None)
    assert [w.code for w in cfg.warehouses] == ["SOUTH", "NORTH", "JAPAN"]
    assert {w.name for w in cfg.warehouses} == {"华南仓", "华北仓", "华日仓"}
    lines = {p.name: p for p in cfg.product_lines}
    assert set(lines) == {"床垫", "彩板", "手绘", "KT韩式", "松木"}
    assert lines["松木"].warehouses == ["NORTH", "JAPAN"] and lines["松木"].sku[0].fullmatch("DS1205")
    codes = {c.code for c in cfg.carriers}
    assert {"DEPPON", "XINBANG", "XINYITAI", "DONGHAN", "JUJIATONG", "ZTO", "STO", "YTO", "YUNDA", "SF", "CHINAPOST",
            "EMS", "JD", "JT", "YAMATO", "SAGAWA", "JAPANPOST"} <= codes
    assert cfg.timezone == "Asia/Shanghai"


def test_lookup_order(tmp_path, isolated, monkeypatch):
    flag, env, local = tmp_path / "flag", tmp_path / "env", isolated / "config"
    for d in (flag, env, local):
        d.mkdir()
        (d / "shop.toml").write_text("", encoding="utf-8")
    monkeypatch.setenv("KEFU_CONFIG_DIR", str(env))
    assert find_config_dir(str(flag)) == flag
    assert find_config_dir(None) == env
    monkeypatch.delenv("KEFU_CONFIG_DIR")
    assert find_config_dir(None).resolve() == local.resolve()
    shutil.rmtree(local)
    assert find_config_dir(None) is None  # the packaged defaults
    with pytest.raises(ConfigError, match="does not exist"):
        find_config_dir(str(tmp_path / "nope"))


def test_shop_file_merges_over_defaults(tmp_path):
    d = tmp_path / "c"
    d.mkdir()
    (d / "shop.toml").write_text('[shop]\nname = "小店"\n', encoding="utf-8")
    cfg = load_config(d)
    assert cfg.shop_name == "小店" and cfg.timezone == "Asia/Shanghai"
    assert cfg.sources["shop.name"] == str(d / "shop.toml")
    assert cfg.sources["shop.timezone"] == str(packaged_dir() / "shop.toml")
    assert len(cfg.warehouses) == 3  # warehouses.toml still from the packaged defaults


def test_bad_cutoff_names_file_and_key(confdir):
    text = (confdir / "warehouses.toml").read_text(encoding="utf-8")
    (confdir / "warehouses.toml").write_text(text.replace('cutoff = "15:00"', 'cutoff = "25:00"'), encoding="utf-8")
    problems, _ = check_config(confdir, config_checks())
    assert [str(p) for p in problems] == [
        f'{confdir / "warehouses.toml"}: warehouse JAPAN: cutoff: "25:00" is not a time (use HH:MM, 00:00 to 23:59)']
    with pytest.raises(ConfigError, match=r'warehouse JAPAN: cutoff: "25:00" is not a time'):
        load_config(confdir)


def test_every_problem_is_reported(confdir):
    (confdir / "carriers.toml").write_text(
        '[[carrier]]\ncode = "zto"\nname = ""\nkind = "rocket"\ncountry = "CN"\npatterns = ["(["]\n'
        'needs_phone = "yes"\nstale_after_hours = -1\nkey = "abc"\ncolour = "red"\n', encoding="utf-8")
    problems, _ = check_config(confdir, config_checks())
    keys = {p.key for p in problems}
    # an entry is named by its code, as the desk calls it, not counted from 0
    assert {"carrier zto: code", "carrier zto: name", "carrier zto: kind", "carrier zto: patterns",
            "carrier zto: needs_phone", "carrier zto: stale_after_hours", "carrier zto: key",
            "carrier zto: colour"} <= keys
    secret = next(p for p in problems if p.key == "carrier zto: key" and "environment" in p.message)
    assert "environment variable" in secret.message and "abc" not in str(secret)


def test_unknown_key_suggests(confdir):
    (confdir / "shop.toml").write_text('[shop]\nname = "x"\ntimezone = "Asia/Shanghai"\ntimezon = "x"\n', encoding="utf-8")
    problems, _ = check_config(confdir, config_checks())
    assert any("did you mean timezone" in p.message for p in problems)


def test_invalid_toml_and_unknown_warehouse(confdir):
    (confdir / "shop.toml").write_text("[shop\n", encoding="utf-8")
    problems, _ = check_config(confdir, config_checks())
    assert problems[0].file.endswith("shop.toml") and "not valid TOML" in problems[0].message
    (confdir / "shop.toml").unlink()
    text = (confdir / "warehouses.toml").read_text(encoding="utf-8")
    (confdir / "warehouses.toml").write_text(text.replace('warehouses = ["NORTH", "JAPAN"]', 'warehouses = ["WEST"]'),
                                             encoding="utf-8")
    problems, _ = check_config(confdir, config_checks())
    assert any('"WEST" is not a declared warehouse' in p.message for p in problems)


def test_config_check_command(run, confdir):
    r = run("--config-dir", confdir, "config", "check")
    assert r.exit_code == 0 and r.stdout == "" and "configuration is valid" in r.stderr
    (confdir / "shop.toml").write_text('[shop]\nname = "x"\ntimezone = "Mars/Base"\n', encoding="utf-8")
    r = run("--config-dir", confdir, "config", "check")
    assert r.exit_code == 2 and r.stdout == ""
    assert 'shop.toml: shop.timezone: "Mars/Base" is not an IANA time zone' in r.stderr
    r = run("--config-dir", confdir, "orders", ROOT / "examples" / "orders.jsonl")
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and "kefu: error:" in r.stderr and "config check" in r.stderr


def test_config_show(run):
    r = run("config", "show", "-f", "jsonl")
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    by_key = {row["key"]: row for row in rows}
    assert by_key["warehouse[0].code"]["value"] == "SOUTH"
    assert by_key["shop.timezone"]["source"].endswith("shop.toml")
    assert r.exit_code == 0
