"""The business of the partner program: entities, ownership, state machines, matching, scoring.

Pure Python: imports neither Qt nor HTTP nor SQL.
"""
