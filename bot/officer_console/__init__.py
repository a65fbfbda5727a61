"""The officer console: a web door onto the review queue, verified answers and the records."""
