"""The relevance test set: a fixed corpus, queries with their expected results, and a
reference ranker that validates the set until the database search is measured on it."""
