"""STAGE 4: sinks write generated tables.

The frame contract every sink receives (what the sampler produces):

* ``frames``: a dict ``{table key: pandas.DataFrame}`` for *every* table of the
  :class:`~synthohive_seed.schema.model.Schema`, in the schema's table order (parents
  first). Columns are the table's columns in declared order, computed columns left out.
* Missing values are ``None`` / ``pd.NA`` / ``NaT`` / ``NaN`` as the dtype allows; a sink
  must write each as SQL NULL (never ``'nan'``, ``0`` or a float NaN).
* dtypes by column kind: integer -> ``Int64`` (nullable); float -> ``float64``;
  decimal -> ``float64`` already rounded to the column's scale; string -> object of
  ``str``; boolean -> ``boolean``; date -> object of ``datetime.date``; datetime ->
  ``datetime64[us]`` (naive) or ``datetime64[us, UTC]`` (time zone columns); time ->
  object of ``datetime.time``; binary -> object of ``bytes``; json -> object (dict/list);
  uuid -> object of ``str``; interval -> ``timedelta64[us]``; other -> object.
* FKs listed in ``schema.deferred_fks`` close a cycle: their columns hold final values,
  but a database sink inserts them as NULL and UPDATEs them once every table is in.
"""
