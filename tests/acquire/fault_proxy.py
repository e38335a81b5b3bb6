#!/usr/bin/env python3
"""A fault-injecting HTTP proxy for the download tests (src/acquire/fetcher_test.cc).

It sits in front of an upstream web server (the tests' nginx) on 127.0.0.1 and
forwards GET and HEAD, with the Range and If-Range headers, passing status, headers and body
back; some requests get a fault instead, chosen by rules on the command line:

  fault_proxy.py --upstream http://127.0.0.1:8080 [--port 0] [--rule REGEX=MODE[:N]]...

A rule applies to requests whose path matches REGEX (re.search), to the first N
of them when :N is given, else to all. The first rule that applies wins. Modes:

  drop      send the headers and about half the body, then close the connection
  503, 404  answer with that status and a short body
  429       the same, with Retry-After: 1
  trickle   send the body at about 200 bytes/s
  truncate  serve the file cut to 60%, with the cut size as Content-Length
            (a truncated gzip file that HTTP says is complete)
  corrupt   serve the file with bytes flipped in the middle (a wrong checksum)
  redirect  answer 302 to /_r/<same path>, which is then served normally
  norange   ignore the Range header: 200 with the whole body
  delay     wait 0.4 s, then serve normally (to make transfers overlap)

GET /_faults/stats returns {path: count} of the requests seen (JSON);
GET /_faults/concurrency returns {"now": n, "max": n} of requests in flight.
Prints "listening on PORT" on stdout when ready (--port 0: the OS picks).
Python 3 standard library only.
"""
import argparse
import http.client
import json
import re
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PASS_HEADERS = ("content-type", "content-range", "last-modified", "etag", "accept-ranges", "location")
MODES = ("drop", "503", "404", "429", "trickle", "truncate", "corrupt", "redirect", "norange", "delay")


class Rule:
    def __init__(self, spec):
        regex, _, mode = spec.rpartition("=")
        limit = None
        if ":" in mode:
            mode, n = mode.split(":", 1)
            limit = int(n)
        if not regex or mode not in MODES:
            raise SystemExit(f"bad --rule {spec!r}: REGEX=MODE[:N], MODE one of {', '.join(MODES)}")
        self.regex, self.mode, self.limit, self.used = re.compile(regex), mode, limit, 0


class State:
    def __init__(self, upstream, rules):
        self.upstream = urllib.parse.urlsplit(upstream)
        self.rules = rules
        self.lock = threading.Lock()
        self.counts = {}
        self.now = 0
        self.max = 0

    def begin(self, path):
        """Counts the request and returns the mode of the rule that applies, or None."""
        with self.lock:
            self.counts[path] = self.counts.get(path, 0) + 1
            self.now += 1
            self.max = max(self.max, self.now)
            if path.startswith("/_r/"):
                return None
            for r in self.rules:
                if r.regex.search(path) and (r.limit is None or r.used < r.limit):
                    r.used += 1
                    return r.mode
            return None

    def end(self):
        with self.lock:
            self.now -= 1


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None  # set in main

    def log_message(self, *args):
        pass

    def do_HEAD(self):
        self.handle_request(head=True)

    def do_GET(self):
        self.handle_request(head=False)

    def send_json(self, obj):
        body = json.dumps(obj).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def send_plain(self, status, text, extra=()):
        body = text.encode()
        self.send_response(status)
        for k, v in extra:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def upstream(self, path, use_range):
        st = self.state
        conn = http.client.HTTPConnection(st.upstream.hostname, st.upstream.port, timeout=30)
        headers = {"User-Agent": self.headers.get("User-Agent", "fault_proxy")}
        if use_range:
            for name in ("Range", "If-Range"):
                if self.headers.get(name):
                    headers[name] = self.headers[name]
        conn.request(self.command, path, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        return resp.status, [(k, v) for k, v in resp.getheaders() if k.lower() in PASS_HEADERS], body

    def handle_request(self, head):
        path = urllib.parse.urlsplit(self.path).path
        if path == "/_faults/stats":
            with self.state.lock:
                return self.send_json(dict(self.state.counts))
        if path == "/_faults/concurrency":
            with self.state.lock:
                return self.send_json({"now": self.state.now, "max": self.state.max})
        mode = self.state.begin(path)
        try:
            self.serve(path, mode, head)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            self.state.end()

    def serve(self, path, mode, head):
        if mode in ("503", "404", "429"):
            extra = [("Retry-After", "1")] if mode == "429" else []
            return self.send_plain(int(mode), f"fault_proxy: {mode}\n", extra)
        if mode == "redirect":
            return self.send_plain(302, "moved\n", [("Location", "/_r" + path)])
        if mode == "delay":
            time.sleep(0.4)
        upstream_path = path[3:] if path.startswith("/_r/") else path
        whole = mode in ("truncate", "corrupt", "norange")
        status, headers, body = self.upstream(upstream_path, use_range=not whole)
        if whole and status == 200:
            headers = [(k, v) for k, v in headers if k.lower() != "content-range"]
            if mode == "truncate":
                body = body[: len(body) * 6 // 10]
            elif mode == "corrupt" and body:
                mid = len(body) // 2
                body = body[:mid] + bytes(b ^ 0xFF for b in body[mid : mid + 16]) + body[mid + 16 :]
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if head:
            return
        if mode == "drop":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
        elif mode == "trickle":
            for i in range(0, len(body), 20):
                self.wfile.write(body[i : i + 20])
                self.wfile.flush()
                time.sleep(0.1)
        else:
            self.wfile.write(body)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--rule", action="append", default=[])
    args = ap.parse_args()
    Handler.state = State(args.upstream, [Rule(r) for r in args.rule])
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"listening on {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
