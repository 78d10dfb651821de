"""English language resources shared by the flows: lemmas, stop words, word lists."""
