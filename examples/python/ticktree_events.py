#!/usr/bin/env python3
"""ticktree_events.py: a reference subscriber of ticktree's event stream.

It speaks the published contract only: ZeroMQ SUB on service.events
([topic, Event] messages), REQ on service.replay (ReplayRequest /
ReplayReply), and the protobuf messages in messages/*.proto, compiled here
with protoc at start so they always match the checkout.

Like `ticktree events`, it follows the Clone pattern: subscribe first,
replay what was missed from --from, then go live, filling any gap from the
replay endpoint, so the output has no gap and no duplicate.

    python3 examples/python/ticktree_events.py \\
        --endpoint tcp://127.0.0.1:7781 --replay tcp://127.0.0.1:7782 \\
        --from 1 --count 100

Debian packages: python3-zmq python3-protobuf protobuf-compiler.
"""
import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile

import zmq

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_DIR = os.path.join(HERE, "..", "..", "messages")


def load_messages():
    """Compiles messages/*.proto with protoc into a temporary directory."""
    out = tempfile.mkdtemp(prefix="ticktree-py-")
    protos = sorted(f for f in os.listdir(PROTO_DIR) if f.endswith(".proto"))
    subprocess.run(["protoc", "-I", PROTO_DIR, "--python_out", out] + protos,
                   check=True)
    sys.path.insert(0, out)
    return importlib.import_module("events_pb2")


def event_dict(ev, topic):
    """The event as plain JSON-able data (prices stay decimal strings)."""
    from google.protobuf.json_format import MessageToDict
    body = ev.WhichOneof("body")
    out = {"seq": ev.seq, "ts_ns": ev.ts_ns, "topic": topic,
           "symbol": ev.symbol, "kind": body}
    if body:
        out[body] = MessageToDict(getattr(ev, body),
                                  preserving_proto_field_name=True)
    return out


class Subscriber:
    def __init__(self, pb, args):
        self.pb = pb
        self.args = args
        self.last = 0
        self.printed = 0
        ctx = zmq.Context.instance()
        self.sub = ctx.socket(zmq.SUB)
        for t in args.topic or [""]:
            self.sub.setsockopt_string(zmq.SUBSCRIBE, t)
        self.sub.connect(args.endpoint)
        self.req = ctx.socket(zmq.REQ)
        self.req.setsockopt(zmq.LINGER, 0)
        self.req.connect(args.replay)

    def wanted(self, topic):
        return not self.args.topic or any(
            topic.startswith(t) for t in self.args.topic)

    def emit(self, topic, data):
        """Prints one event unless seen; True once --count is reached."""
        ev = self.pb.Event()
        ev.ParseFromString(data)
        if ev.seq > self.last:
            self.last = ev.seq
            if self.wanted(topic):
                print(json.dumps(event_dict(ev, topic)), flush=True)
                self.printed += 1
        return self.args.count and self.printed >= self.args.count

    def replay(self, first, last):
        """Fetches first..last (0: up to the latest) in chunks."""
        while True:
            rq = self.pb.ReplayRequest(from_seq=first, to_seq=last,
                                       token=self.args.token)
            self.req.send(rq.SerializeToString())
            if not self.req.poll(self.args.timeout_ms):
                sys.exit("replay endpoint did not answer")
            reply = self.pb.ReplayReply()
            reply.ParseFromString(self.req.recv())
            if reply.status != 0:
                sys.exit("replay refused: " + reply.error)
            for item in reply.items:
                if self.emit(item.topic, item.event):
                    return True
            end = last or reply.last_seq
            if self.last >= end or not reply.items:
                self.last = max(self.last, end)
                return False
            first = self.last + 1

    def run(self):
        if self.args.start and self.replay(self.args.start, 0):
            return 0
        while True:
            if not self.sub.poll(self.args.idle_timeout_ms or None):
                return 1 if self.args.count else 0
            topic, data = self.sub.recv_multipart()[:2]
            topic = topic.decode()
            ev = self.pb.Event()
            ev.ParseFromString(data)
            gap = not self.args.topic and self.last and ev.seq > self.last + 1
            if gap and self.replay(self.last + 1, ev.seq - 1):
                return 0
            if self.emit(topic, data):
                return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--endpoint", default="tcp://127.0.0.1:7781")
    p.add_argument("--replay", default="tcp://127.0.0.1:7782")
    p.add_argument("--topic", action="append",
                   help="topic prefix, e.g. trade. (repeatable)")
    p.add_argument("--from", dest="start", type=int, default=0,
                   help="replay from this sequence number, then go live")
    p.add_argument("--count", type=int, default=0,
                   help="stop after this many events")
    p.add_argument("--idle-timeout-ms", type=int, default=0)
    p.add_argument("--timeout-ms", type=int, default=3000)
    p.add_argument("--token", default=os.environ.get(
        "TICKTREE_CONTROL_TOKEN", ""))
    args = p.parse_args()
    return Subscriber(load_messages(), args).run()


if __name__ == "__main__":
    sys.exit(main())
