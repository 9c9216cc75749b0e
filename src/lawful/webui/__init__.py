"""The customer's privacy centre: server-rendered pages over the services the API uses."""
