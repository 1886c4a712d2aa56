from .. import AwesomeEncoder


def test_encode_pads_to_dimension():
    assert len(AwesomeEncoder(dimension=8).encode(["hi"])[0]) == 8
