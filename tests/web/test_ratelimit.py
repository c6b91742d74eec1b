"""Rate counters: shared by every process, cheap to write."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.core.errors import RateLimited
from app.web import ratelimit


@pytest.mark.usefixtures("start_of_a_minute")
def test_counts_per_bucket_and_refuses_beyond_the_limit(db: Session) -> None:
    ratelimit.check(db, {"ip:a": 2, "key:1": 5})
    ratelimit.check(db, {"ip:a": 2})
    with pytest.raises(RateLimited) as refused:
        ratelimit.check(db, {"ip:a": 2})
    assert 1 <= refused.value.retry_after <= 61
    ratelimit.check(db, {"key:1": 5})  # another bucket has its own budget


def test_counter_commits_do_not_wait_for_the_disk_on_postgresql(db: Session) -> None:
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite's WAL with synchronous=NORMAL does not flush on commit anyway")
    ratelimit.without_flush_to_disk(db)
    assert db.scalar(text("SHOW synchronous_commit")) == "off"
