"""capture_warnings: each thread's warnings become its own notes, and nothing is left behind."""

import threading
import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning

from fairdash.tradeoff._captured_warnings import capture_warnings


def test_repeated_warnings_are_counted_and_developer_warnings_passed_on():
    with pytest.warns(FutureWarning, match="a change to come"):
        with capture_warnings("grid_search") as notes:
            for _ in range(3):
                warnings.warn("lbfgs failed to converge", ConvergenceWarning, stacklevel=1)
            warnings.warn("a change to come", FutureWarning, stacklevel=1)
    assert notes == [
        "grid_search: scikit-learn warned (ConvergenceWarning): lbfgs failed to converge (3 times)"
    ]


def test_interleaved_threads_keep_their_own_warnings_and_restore_the_process_state():
    filters, showwarning = warnings.filters[:], warnings.showwarning
    a_in, b_in, a_out, b_warned = (threading.Event() for _ in range(4))
    notes: dict[str, list[str]] = {}

    def session_a() -> None:
        with capture_warnings("a") as found:
            a_in.set()
            b_in.wait(10)
            warnings.warn("from a", UserWarning, stacklevel=1)
        notes["a"] = found
        a_out.set()

    def session_b() -> None:
        a_in.wait(10)
        with capture_warnings("b") as found:
            b_in.set()
            a_out.wait(10)  # a has left: b's capture must still work
            warnings.warn("from b", UserWarning, stacklevel=1)
            b_warned.set()
        notes["b"] = found

    threads = [threading.Thread(target=session_a), threading.Thread(target=session_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert b_warned.is_set()
    assert notes["a"] == ["a: a warning (UserWarning): from a"]
    assert notes["b"] == ["b: a warning (UserWarning): from b"]
    # Both left: the process's warning machinery is as it was.
    assert warnings.filters == filters and warnings.showwarning is showwarning
    with pytest.warns(UserWarning, match="after both"):
        warnings.warn("after both", UserWarning, stacklevel=1)


def test_another_threads_warning_is_not_collected():
    inside, raised = threading.Event(), threading.Event()
    outside: list = []

    def other() -> None:
        inside.wait(10)
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            warnings.warn("not the method's", UserWarning, stacklevel=1)
        outside.extend(seen)
        raised.set()

    thread = threading.Thread(target=other)
    thread.start()
    with capture_warnings("m") as notes:
        inside.set()
        raised.wait(10)
    thread.join(10)
    assert notes == []
    assert [str(w.message) for w in outside] == ["not the method's"]
