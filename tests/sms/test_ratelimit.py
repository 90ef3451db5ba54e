"""The token bucket answers how long to wait, on an injected clock."""

import pytest

from bot.delivery.ratelimit import TokenBucket


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_one_a_second_means_a_second_between_sends() -> None:
    clock = Ticks()
    bucket = TokenBucket(1.0, 1.0, clock)
    assert bucket.take() == 0.0
    assert bucket.take() == pytest.approx(1.0)
    clock.now += 0.4
    assert bucket.take() == pytest.approx(0.6)
    clock.now += 0.6
    assert bucket.take() == 0.0


def test_a_refusal_takes_no_token() -> None:
    clock = Ticks()
    bucket = TokenBucket(2.0, 1.0, clock)
    bucket.take()
    for _ in range(3):
        assert bucket.take() == pytest.approx(0.5)
    clock.now += 0.5
    assert bucket.take() == 0.0


def test_a_burst_is_allowed_up_to_its_size_and_refills_no_further() -> None:
    clock = Ticks()
    bucket = TokenBucket(1.0, 3, clock)
    assert [bucket.take() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take() > 0
    clock.now += 60
    assert [bucket.take() for _ in range(4)][:3] == [0.0, 0.0, 0.0]
    assert bucket.take() > 0


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (-1, 1), (1, 0.5)])
def test_a_bucket_that_could_never_send_is_refused(rate: float, burst: float) -> None:
    with pytest.raises(ValueError):
        TokenBucket(rate, burst, lambda: 0.0)
