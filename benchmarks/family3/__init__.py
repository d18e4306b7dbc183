"""The third held-out family's parts; `heldout3.py` builds its files from them."""
