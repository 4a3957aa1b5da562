"""The cyclic collector is paused while batches run and resumed after the last one, and a
collector someone else had switched off stays off."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from ledger.batch.pipeline import cyclic_collection_paused


@pytest.fixture(autouse=True)
def restore_collector() -> Iterator[None]:
    was = gc.isenabled()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_paused_inside_and_resumed_after_even_on_error() -> None:
    gc.enable()
    with pytest.raises(RuntimeError), cyclic_collection_paused():
        assert not gc.isenabled()
        raise RuntimeError("a failed batch")
    assert gc.isenabled()


def test_nested_and_overlapping_batches_resume_only_at_the_end() -> None:
    gc.enable()
    first_in, second_done, release = threading.Event(), threading.Event(), threading.Event()

    def other_batch() -> None:
        with cyclic_collection_paused():
            first_in.set()
            release.wait(5)
        second_done.set()

    thread = threading.Thread(target=other_batch)
    thread.start()
    first_in.wait(5)
    with cyclic_collection_paused():
        with cyclic_collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
        release.set()
        second_done.wait(5)
        assert not gc.isenabled()  # the other batch ended first; this one still runs
    thread.join(5)
    assert gc.isenabled()


def test_a_collector_switched_off_beforehand_stays_off() -> None:
    gc.disable()
    with cyclic_collection_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()
