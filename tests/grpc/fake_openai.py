"""fake_openai.py - an OpenAI-compatible /v1/chat/completions endpoint for
the openai: backend's test. Records each request (headers and body) as a
JSON line in LOG; answers with a fenced code block, or sleeps 5 s first
when the user message contains "slow".
usage: fake_openai.py PORT_FILE LOG"""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with open(sys.argv[2], "a") as log:
            log.write(json.dumps({"path": self.path, "auth": self.headers.get("Authorization"),
                                  "body": body}) + "\n")
        user = body["messages"][-1]["content"]
        if "slow" in user:
            time.sleep(5)
        content = "Here you go:\n```python\ndef add_p(x):\n    return x + 7\n```\nDone."
        reply = json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply.encode())

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[1], "w") as f:
    f.write("%d\n" % server.server_port)
server.serve_forever()
