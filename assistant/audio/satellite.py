"""A Wyoming voice satellite as the coach's microphone: the coach is the satellite's controller.

A wyoming-satellite (a Raspberry Pi with a microphone and a speaker, say) is a TCP server that
takes one controller at a time. ``SatelliteLink`` is that controller's connection, kept up on its
own thread with an asyncio loop: it speaks the protocol through the ``wyoming`` package (its event
classes and its async TCP client), hands the satellite's microphone chunks on, and connects again
whenever the satellite restarts or the network drops. ``SatelliteMicrophone`` turns those chunks
into the same 16 kHz int16 blocks, with the same half-duplex mute, as the local ``Microphone``.
What goes back to the satellite's speaker is ``satellite_output.SatelliteSink``'s business.

Knows nothing of exercises; says nothing to the user (the app layer words the exceptions).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from typing import Any
from urllib.parse import urlparse

from wyoming.audio import AudioChunk, AudioChunkConverter
from wyoming.client import AsyncTcpClient
from wyoming.event import Event
from wyoming.info import Describe, Info
from wyoming.satellite import RunSatellite

from assistant.audio.microphone import put_dropping_oldest

log = logging.getLogger(__name__)

RATE = 16000           # what the recogniser takes
BLOCK = 1600           # samples per block, as the local microphone gives
CONNECT_TIMEOUT = 3.0
ACCEPT_WAIT = 1.5      # an always-streaming satellite answers run-satellite well within this
RETRY_EVERY = 1.0      # seconds between attempts to reach a satellite that went away
SILENT_FOR = 5.0       # a connection that brings nothing for this long is dead (a network gone quiet)


class SatelliteError(Exception):
    """The satellite cannot be used; ``uri`` says which."""

    def __init__(self, uri: str, detail: str) -> None:
        super().__init__(f"{uri}: {detail}")
        self.uri = uri
        self.detail = detail


class SatelliteUnreachable(SatelliteError):
    """Nothing answers at the address, or what answers is not a Wyoming satellite."""


class SatelliteBusy(SatelliteError):
    """The satellite answered, then closed the connection: another controller (Home Assistant,
    another coach) holds it. wyoming-satellite takes one controller at a time."""


def host_port(uri: str) -> tuple[str, int]:
    parsed = urlparse(uri)
    if parsed.scheme != "tcp" or not parsed.hostname or parsed.port is None:
        raise ValueError(f"not a tcp://HOST:PORT address: {uri!r}")
    return parsed.hostname, parsed.port


class SatelliteLink:
    """One controller connection to a wyoming-satellite, kept up on its own thread.

    ``start()`` makes the first connection and raises ``SatelliteBusy``/``SatelliteUnreachable``;
    after that the link reconnects by itself, every ``RETRY_EVERY`` seconds, for as long as it
    runs. ``generation`` counts the connections made, so a user of the link can tell that the
    connection it was using has gone (a new stream must start with a new audio-start).
    """

    def __init__(self, uri: str, *, on_problem: Callable[[SatelliteError], None] | None = None) -> None:
        self.uri = uri
        self.host, self.port = host_port(uri)
        self.name = ""
        self.generation = 0
        self.chunks_in = 0
        self.last_chunk_at = 0.0
        self._on_problem = on_problem or (lambda err: None)
        self._listeners: list[Callable[[bytes], None]] = []
        self._connected = threading.Event()
        self._client: AsyncTcpClient | None = None
        self._converter = AudioChunkConverter(rate=RATE, width=2, channels=1)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="satellite", daemon=True)
        self._main: Future | None = None
        self._closing = False

    # -- from any thread ------------------------------------------------------------------------
    def start(self) -> SatelliteLink:
        """Connect (blocks up to a few seconds); raise if the satellite cannot be used."""
        self._thread.start()
        first: Future = Future()
        self._main = asyncio.run_coroutine_threadsafe(self._keep_connected(first), self._loop)
        first.result()   # raises SatelliteBusy / SatelliteUnreachable
        return self

    def add_listener(self, listener: Callable[[bytes], None]) -> None:
        """``listener(pcm)`` gets every microphone chunk, as 16 kHz mono int16, on the link's thread."""
        self._listeners.append(listener)

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> Future:
        """Run ``coro`` on the link's loop (the sink's pacer runs there, beside the connection)."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def close(self) -> None:
        if self._closing:
            return
        self._closing = True
        if self._thread.is_alive():
            if self._main is not None:
                self._loop.call_soon_threadsafe(self._main.cancel)
            asyncio.run_coroutine_threadsafe(self._drop(), self._loop).result(timeout=5)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
        self._connected.clear()

    # -- on the link's loop ---------------------------------------------------------------------
    async def write(self, event: Event) -> bool:
        """Send one event; False (and the connection is given up) when it cannot be sent."""
        client = self._client
        if client is None or not self._connected.is_set():
            return False
        try:
            await client.write_event(event)
            return True
        except (OSError, AssertionError, RuntimeError) as err:
            log.warning("satellite %s: write failed: %r", self.uri, err)
            await self._drop()
            return False

    async def _connect(self) -> AsyncTcpClient:
        client = AsyncTcpClient(self.host, self.port)
        try:
            await asyncio.wait_for(client.connect(), CONNECT_TIMEOUT)
        except (TimeoutError, OSError) as err:
            raise SatelliteUnreachable(self.uri, f"cannot connect: {err!r}") from None
        try:
            await client.write_event(Describe().event())
            info = None
            deadline = time.monotonic() + CONNECT_TIMEOUT
            while info is None:
                event = await asyncio.wait_for(client.read_event(), max(0.01, deadline - time.monotonic()))
                if event is None:
                    raise SatelliteUnreachable(self.uri, "closed the connection before describing itself")
                if Info.is_type(event.type):
                    info = Info.from_event(event)
            if info.satellite is None:
                raise SatelliteUnreachable(self.uri, "a Wyoming service, but not a satellite")
            self.name = info.satellite.name
            await client.write_event(RunSatellite().event())
            # An always-streaming satellite answers at once (run-pipeline, then microphone chunks).
            # One that another controller holds stops reading our connection (1.0.0 leaves it open,
            # newer ones may close it): nothing comes.
            try:
                first = await asyncio.wait_for(client.read_event(), ACCEPT_WAIT)
            except TimeoutError:
                first = None
            if first is None:
                raise SatelliteBusy(self.uri, "no answer to run-satellite: another controller holds it "
                                              "(or it waits for a wake word, which the coach cannot use)")
        except (TimeoutError, OSError) as err:
            await client.disconnect()
            raise SatelliteUnreachable(self.uri, f"no Wyoming satellite: {err!r}") from None
        except SatelliteError:
            await client.disconnect()
            raise
        self._handle(first)
        return client

    async def _keep_connected(self, first: Future) -> None:
        reported: type | None = None
        while not self._closing:
            try:
                client = await self._connect()
            except SatelliteError as err:
                if not first.done():
                    first.set_exception(err)
                    return
                if type(err) is not reported:   # say it once, not every second
                    log.warning("satellite %s: %s", self.uri, err.detail)
                    self._on_problem(err)
                    reported = type(err)
                await asyncio.sleep(RETRY_EVERY)
                continue
            reported = None
            self._client = client
            self.generation += 1
            self.last_chunk_at = time.monotonic()
            self._connected.set()
            log.info("connected to satellite %r at %s (connection %d)", self.name, self.uri, self.generation)
            if not first.done():
                first.set_result(None)
            await self._read(client)
            await self._drop()
            if not self._closing:
                log.warning("satellite %s went away; connecting again", self.uri)
                await asyncio.sleep(RETRY_EVERY)

    def _holds(self, client: AsyncTcpClient) -> bool:
        return self._client is client

    async def _read(self, client: AsyncTcpClient) -> None:
        while self._holds(client):   # until dropped (a failed write drops it)
            try:
                event = await asyncio.wait_for(client.read_event(), SILENT_FOR)
            except TimeoutError:
                log.warning("satellite %s: nothing heard for %.0f s", self.uri, SILENT_FOR)
                return
            except (OSError, asyncio.IncompleteReadError, ValueError, AssertionError) as err:
                log.debug("satellite read: %r", err)
                return
            if event is None:
                return
            self._handle(event)

    def _handle(self, event: Event) -> None:
        if not AudioChunk.is_type(event.type):
            log.debug("satellite event %s", event.type)
            return
        chunk = self._converter.convert(AudioChunk.from_event(event))
        self.chunks_in += 1
        self.last_chunk_at = time.monotonic()
        for listener in self._listeners:
            listener(chunk.audio)

    async def _drop(self) -> None:
        self._connected.clear()
        client, self._client = self._client, None
        if client is not None:
            try:
                await client.disconnect()
            except Exception as err:   # a vanished peer must not stop the link
                log.debug("satellite disconnect: %r", err)


class SatelliteMicrophone:
    """The satellite's microphone with the local ``Microphone``'s interface: ``blocks`` (a queue
    of 1600-sample 16 kHz int16 blocks), ``mute_for``, ``alive``, ``reopen``, ``close``.

    Half-duplex: while muted, blocks carry silence. The coach's voice comes out of the satellite
    ``echo`` seconds after it was due (the stream's lead and the player), so a mute lasts that
    much longer than the line.
    """

    def __init__(self, link: SatelliteLink, echo: float = 0.4) -> None:
        self.link = link
        self.echo = echo
        self.rate, self.block = RATE, BLOCK
        self.blocks: queue.Queue[bytes] = queue.Queue(maxsize=200)
        self._pending = b""
        self._muted_until = 0.0
        self._seen_generation = link.generation
        self._lock = threading.Lock()
        link.add_listener(self._chunk)

    def _chunk(self, pcm: bytes) -> None:
        with self._lock:
            if time.monotonic() < self._muted_until:
                pcm = bytes(len(pcm))
            self._pending += pcm
            size = self.block * 2
            while len(self._pending) >= size:
                block, self._pending = self._pending[:size], self._pending[size:]
                put_dropping_oldest(self.blocks, block)

    def mute_for(self, seconds: float) -> None:
        """Half-duplex: hear silence for the next ``seconds`` and the echo (extends, never shortens)."""
        with self._lock:
            self._muted_until = max(self._muted_until, time.monotonic() + seconds + self.echo)
            self._pending = bytes(len(self._pending))   # a block begun before is silent too

    def alive(self, stale_after: float = 1.5) -> bool:
        """False once the connection went (even if the link is already back: the listener must
        notice, pause a session and call ``reopen``), or when no chunk came for a while."""
        link = self.link
        return (link.connected and link.generation == self._seen_generation
                and time.monotonic() - link.last_chunk_at < stale_after)

    def reopen(self, timeout: float = 1.5) -> bool:
        """Wait a little for the link to be back; True when it is (and chunks flow again)."""
        if not self.link.wait_connected(timeout):
            return False
        self._seen_generation = self.link.generation
        with self._lock:
            self._pending = b""
        return True

    def close(self) -> None:
        pass   # the link is closed by whoever opened it
