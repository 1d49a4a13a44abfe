"""snipkit.perprocess: made once however many threads ask, and made again after a fork."""

from __future__ import annotations

import os
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor

from snipkit.perprocess import PerProcess


def test_threads_asking_at_once_get_one_value_made_once():
    made = []

    def make() -> object:
        time.sleep(0.05)  # long enough for every thread to be asking meanwhile
        made.append(threading.get_ident())
        return object()

    value = PerProcess(make)
    with ThreadPoolExecutor(8) as threads:
        got = list(threads.map(lambda _: value.get(), range(8)))
    assert len(made) == 1 and all(v is got[0] for v in got)


def test_a_forked_process_makes_its_own():
    value = PerProcess(os.getpid)
    assert value.get() == os.getpid()
    read, write = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads: the child only writes
        child = os.fork()
    if child == 0:
        os.write(write, str(value.get()).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    with os.fdopen(read) as pipe:
        assert int(pipe.read()) == child
    assert value.get() == os.getpid()
