"""Prints an .eml file as JSON: envelope recipient, headers, text body, and
each attachment with the text pypdf extracts from it.

usage: python3 read_mail.py FILE
"""
import email
import io
import json
import sys
from email import policy

from pypdf import PdfReader

with open(sys.argv[1], "rb") as f:
    msg = email.message_from_binary_file(f, policy=policy.default)

out = {
    "envelope_to": msg["X-Envelope-To"],
    "to": msg["To"],
    "from": msg["From"],
    "subject": msg["Subject"],
    "body": "",
    "attachments": [],
}
for part in msg.walk():
    if part.is_multipart():
        continue
    if part.get_filename():
        data = part.get_content()
        text = ""
        if part.get_content_type() == "application/pdf":
            text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
        out["attachments"].append({"filename": part.get_filename(), "content_type": part.get_content_type(), "text": text})
    elif part.get_content_type() == "text/plain":
        out["body"] += part.get_content()
print(json.dumps(out))
