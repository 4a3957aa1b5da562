"""SHARD_URLS, the shard databases of the shard-by-pool simulation (docs/scaling.md)."""

from __future__ import annotations

import pytest

from backend.platform.config import load_settings

A = "mysql+pymysql://dba:s3cret@10.0.0.5:3306/pools?charset=utf8mb4"
B = "mysql+pymysql://dba:s3cret@10.0.0.6:3306/pools"


def test_shard_urls_name_each_shard_database() -> None:
    settings = load_settings(SHARD_URLS=f" a={A}, b={B} ,")
    assert settings.shards == {"a": A, "b": B}  # the first "=" splits; a URL's own "=" stays
    assert load_settings(SHARD_URLS="").shards == {}
    assert "s3cret" not in repr(settings)  # a shard URL carries the DBA's password


def test_a_shard_without_a_name_or_url_is_refused_without_echoing_it() -> None:
    for wrong in (A, "a=", f"={B}"):
        with pytest.raises(ValueError, match="SHARD_URLS: item 1 is not name=url") as refused:
            _ = load_settings(SHARD_URLS=wrong).shards
        assert "s3cret" not in str(refused.value)
