"""Use cases that span domains, one module each: they call the domains' services, compute data,
and leave the words to the adapters."""
