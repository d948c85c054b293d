"""Prints the text pypdf extracts from the PDF on standard input."""
import io
import sys

from pypdf import PdfReader

reader = PdfReader(io.BytesIO(sys.stdin.buffer.read()))
print(f"PAGES {len(reader.pages)}")
print("\n".join(page.extract_text() for page in reader.pages))
