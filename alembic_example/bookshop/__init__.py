"""A tiny bookshop application: the models the Alembic revisions build up to."""
