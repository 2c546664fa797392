"""`kefu pull`: orders read straight from a platform's API (Amazon.co.jp SP-API, Rakuten RMS),
incrementally, for cron. No click, no terminal: `run.Pull` yields records; the command prints.

amazon.py and rakuten.py each turn an API answer into the rows that platform's export writes, so
the platform's profile and the one RowConverter make the record, as for a downloaded file.
common.py: credentials, requests with retries and rate limits, the prefetching thread.
"""
