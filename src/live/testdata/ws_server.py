#!/usr/bin/env python3
"""A websocket server (python3-websockets) for the RIS Live client's tests.

usage: ws_server.py PORTFILE MODE [FILE]
Listens on 127.0.0.1 (a free port, written to PORTFILE once listening). For each connection
it waits for the client's first message (the ris_subscribe), appends it to PORTFILE.sub, then:
  lines FILE  sends each line of FILE as one text message, then waits
  fragment    sends two ris_messages, each in three fragments (text + continuations)
  ping        pings the client; once the pong arrives sends one ris_message
  close       sends one ris_message, then a close frame (code 4000 "bye")
  oversized   sends a 70,000-octet text message, then (next connection) one ris_message
Each connection is counted in PORTFILE.conns.
"""
import asyncio
import json
import sys

import websockets

portfile, mode = sys.argv[1], sys.argv[2]
conns = 0


def update(prefix, n):
    return json.dumps({"type": "ris_message", "data": {
        "timestamp": 1700000000.5 + n, "peer": "192.0.2.1", "peer_asn": "64500", "id": str(n),
        "host": "rrc99", "type": "UPDATE", "path": [64500, 64501], "origin": "igp",
        "announcements": [{"next_hop": "192.0.2.1", "prefixes": [prefix]}]}})


async def handler(ws, path=None):
    global conns
    conns += 1
    with open(portfile + ".conns", "w") as f:
        f.write(str(conns))
    sub = await ws.recv()
    with open(portfile + ".sub", "a") as f:
        f.write(sub + "\n")
    if mode == "lines":
        with open(sys.argv[3]) as f:
            for line in f:
                if line.strip():
                    await ws.send(line.rstrip("\n"))
    elif mode == "fragment":
        for i, p in enumerate(["198.51.100.0/24", "203.0.113.0/24"]):
            m = update(p, i)
            await ws.send([m[:10], m[10:40], m[40:]])
    elif mode == "ping":
        waiter = await ws.ping(b"are-you-there")
        await asyncio.wait_for(waiter, 10)
        await ws.send(update("198.51.100.0/24", 0))
    elif mode == "close":
        await ws.send(update("198.51.100.0/24", 0))
        await ws.close(code=4000, reason="bye")
        return
    elif mode == "oversized":
        if conns == 1:
            await ws.send("x" * 70000)
        else:
            await ws.send(update("203.0.113.0/24", 0))
    await asyncio.sleep(60)


async def main():
    async with websockets.serve(handler, "127.0.0.1", 0, ping_interval=None,
                                compression=None) as server:
        port = server.sockets[0].getsockname()[1]
        with open(portfile + ".tmp", "w") as f:
            f.write(str(port))
        import os
        os.rename(portfile + ".tmp", portfile)
        await asyncio.Future()


asyncio.run(main())
