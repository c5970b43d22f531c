"""Entities: the one resolver (lookup), what ``show`` prints (describe) and ``stats``."""
