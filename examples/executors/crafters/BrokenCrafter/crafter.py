class BrokenCrafter:
    pass
