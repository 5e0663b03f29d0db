"""bot/owners.py: a socket.io session belongs to its first connection (counted in this process)."""

from __future__ import annotations

import asyncio

from bot.owners import Owners


def test_a_session_belongs_to_its_first_connection_until_it_closes() -> None:
    owners = Owners({})

    async def run() -> list:
        return [await owners.claim("conv", "sid-1"), await owners.claim("conv", "sid-1"),  # asks again: ok
                await owners.claim("conv", "sid-2"), await owners.holds("conv", "sid-2"),
                await owners.holds("conv", "sid-1"), await owners.release("conv", "sid-2"),  # not its own
                await owners.holds("conv", "sid-1"), await owners.release("conv", "sid-1"),
                await owners.claim("conv", "sid-2")]

    assert asyncio.run(run()) == [True, True, False, False, True, None, True, None, True]


def test_two_processes_never_name_the_same_holder() -> None:
    assert Owners({}).holder("sid-1") != Owners({}).holder("sid-1")
