import threading

from comptoir.core.followers import follow


def test_a_follower_outlives_a_failing_pass_and_skips_the_wait_while_work_is_pending(db):
    stop = threading.Event()
    passes: list[str] = []

    def step() -> bool:
        passes.append("pass")
        if len(passes) == 1:
            raise RuntimeError("database went away")
        if len(passes) == 4:
            stop.set()
        return len(passes) < 4  # "more pending" on passes 2 and 3: no wait between them

    waits: list[float] = []
    original_wait = stop.wait
    stop.wait = lambda timeout=None: waits.append(timeout) or original_wait(0)  # type: ignore[method-assign]
    follow(stop, step, interval=7.0, name="test")
    assert passes == ["pass"] * 4
    assert waits == [7.0, 7.0]  # after the failure, and after the last pass
