"""The dataset loaded into chdb, every row twice (two inserts: two parts to collapse)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.clickhouse import dataset
from tests.clickhouse.engines import Chdb


# Module scope: chdb allows one session per process at a time, and each module opens its own.
@pytest.fixture(scope="module")
def loaded_chdb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chdb]:
    engine = Chdb(tmp_path_factory.mktemp("chdb"), "analytics")
    engine.apply_schema()
    rows = dataset.rows()
    engine.insert(rows)
    engine.insert(rows)
    yield engine
    engine.close()
