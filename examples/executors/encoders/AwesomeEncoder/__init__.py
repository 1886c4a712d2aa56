class AwesomeEncoder:
    """Turns each text into a fixed-size vector of character codes."""

    def __init__(self, dimension: int = 128):
        self.dimension = dimension

    def encode(self, texts):
        return [[ord(c) for c in t[: self.dimension]] + [0] * (self.dimension - len(t[: self.dimension])) for t in texts]
