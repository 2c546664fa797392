"""kefu: command-line toolkit for an online shop's ops desk (客服/运营)."""

__version__ = "0.1.0"
