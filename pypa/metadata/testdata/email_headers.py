"""Parse texts with Python's email.parser (compat32), as importlib.metadata
and pip read METADATA, for metadata's differential test.

Reads a JSON list of strings on stdin; writes a JSON list of
{"headers": [[name, value], ...], "body": payload}.
"""
import email.parser
import email.policy
import json
import sys

out = []
for text in json.load(sys.stdin):
    msg = email.parser.Parser(policy=email.policy.compat32).parsestr(text)
    body = msg.get_payload()
    out.append({"headers": [[k, v] for k, v in msg.items()], "body": body if isinstance(body, str) else None})
json.dump(out, sys.stdout)
