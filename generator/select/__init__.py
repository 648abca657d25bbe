"""Selection: (Profile, Library, Provider, needs data, last round's record) -> Plan. Pure: no I/O."""

from .selection import carry_forward, select

__all__ = ["carry_forward", "select"]
