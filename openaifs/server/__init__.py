"""A local server that speaks the OpenAI Files and Uploads APIs (see docs/server.md)."""
