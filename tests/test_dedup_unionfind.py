import numpy as np

from tamis.dedup import UnionFind


def test_chain_becomes_one_component_rooted_at_its_smallest_member():
    uf = UnionFind(8)
    uf.union(np.array([6, 5, 4, 3]), np.array([7, 6, 5, 4]))  # 3-4-5-6-7, given backwards
    roots = uf.roots()
    assert roots.tolist() == [0, 1, 2, 3, 3, 3, 3, 3]


def test_components_do_not_depend_on_pair_order():
    rng = np.random.default_rng(7)
    a = rng.integers(0, 500, 400)
    b = rng.integers(0, 500, 400)
    one = UnionFind(500)
    one.union(a, b)
    two = UnionFind(500)
    order = rng.permutation(400)
    for chunk in np.array_split(order, 7):  # in several batches, shuffled
        two.union(b[chunk], a[chunk])
    assert np.array_equal(one.roots(), two.roots())


def test_grows_for_unseen_documents():
    uf = UnionFind()
    uf.union(np.array([10]), np.array([2]))
    assert uf.roots()[10] == 2
