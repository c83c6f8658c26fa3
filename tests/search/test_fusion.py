import numpy as np
import pytest

from evidence.search.fusion import fuse, fuse_arrays


def lists() -> list[tuple[np.ndarray, np.ndarray]]:
    return [
        (np.array([3, 1, 2]), np.array([9.0, 5.0, 1.0])),
        (np.array([1, 3, 0]), np.array([0.8, 0.7, 0.1])),
    ]


def test_zscore_rewards_agreement_and_uses_the_floor_for_missing_ids() -> None:
    fused = dict(fuse(lists(), [1, 1], "zscore"))
    assert max(fused, key=fused.__getitem__) in (1, 3)
    # id 2 is missing from list 2 and id 0 from list 1: both get that list's lowest z.
    assert fused[2] < fused[1] and fused[0] < fused[3]


@pytest.mark.parametrize("method", ["zscore", "rrf"])
def test_array_fusion_matches_the_reference_implementation(method: str) -> None:
    expected = fuse(lists(), [1.0, 0.5], method)
    ids, scores = fuse_arrays(lists(), [1.0, 0.5], size=5, method=method)
    assert ids.tolist() == [i for i, _ in expected]
    assert np.allclose(scores, [s for _, s in expected])


def test_rrf_is_one_over_k_plus_rank() -> None:
    fused = dict(fuse(lists(), [1, 1], "rrf", rrf_k=60))
    assert fused[3] == pytest.approx(1 / 61 + 1 / 62)


def test_zero_weight_ignores_a_retriever_and_unknown_method_raises() -> None:
    fused = fuse(lists(), [1, 0], "zscore")
    assert [i for i, _ in fused] == [3, 1, 2]
    with pytest.raises(ValueError, match="unknown fusion"):
        fuse(lists(), [1, 1], "borda")
