"""Leaf utilities shared by every layer: errors, durations, money, memos."""
