print('stray')
