"""Alembic migrations, shipped inside the package so that an installed lawful can migrate."""
