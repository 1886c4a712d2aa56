from ..indexer import SimpleIndexer


def test_add():
    idx = SimpleIndexer()
    idx.add("a", [1.0])
    assert idx.vectors == {"a": [1.0]}
