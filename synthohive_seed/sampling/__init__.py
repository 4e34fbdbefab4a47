"""Pipeline stage: sampling."""
