"""Parses an .eml file with Python's standard email package and prints JSON on stdout.

Usage: python3 parse_eml.py FILE
Output: decoded headers, text and HTML bodies, and attachments (base64 of their bytes).
"""
import base64
import email
import email.policy
import json
import sys

with open(sys.argv[1], "rb") as handle:
    message = email.message_from_binary_file(handle, policy=email.policy.default)

text = message.get_body(preferencelist=("plain",))
html = message.get_body(preferencelist=("html",))
result = {
    "defects": [type(defect).__name__ for part in message.walk() for defect in part.defects],
    "from": str(message["From"]),
    "to": str(message["To"]),
    "cc": str(message["Cc"]) if message["Cc"] is not None else None,
    "subject": str(message["Subject"]),
    "message_id": str(message["Message-ID"]),
    "date": str(message["Date"]),
    "mime_version": str(message["MIME-Version"]),
    "content_type": message.get_content_type(),
    "text": text.get_content() if text is not None else None,
    "text_type": text["Content-Type"] if text is not None else None,
    "html": html.get_content() if html is not None else None,
    "attachments": [
        {
            "filename": part.get_filename(),
            "content_type": part.get_content_type(),
            "data": base64.b64encode(part.get_payload(decode=True)).decode(),
        }
        for part in message.iter_attachments()
    ],
}
json.dump(result, sys.stdout)
