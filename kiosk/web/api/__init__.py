"""The HTTP JSON API, /api/v1: meetings and polls, rounds, the four stages, and the OpenAPI
document that describes every call. Every body is read the one strict way (``body``) against the
operation's schema in that document, so the document's limits are the server's."""
