class SimpleIndexer:
    def __init__(self):
        self.vectors = {}

    def add(self, key, vector):
        self.vectors[key] = vector
