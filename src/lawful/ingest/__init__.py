"""Events recorded by the group's other systems, and decisions asked by them, in bulk."""
