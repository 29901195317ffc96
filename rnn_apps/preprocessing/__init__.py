"""Turning raw inputs into arrays: text vocabularies, label encoding."""
