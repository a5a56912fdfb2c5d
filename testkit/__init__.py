"""The test kit every app's tests share: real files made deterministically, storage helpers,
failing storages, the /metrics scraper, a frozen rate-limit clock and free ports.

Test-only: nothing of the running project imports it.
"""
